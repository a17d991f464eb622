package dev.caravan.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;

import dev.caravan.storage.S3Properties;
import dev.caravan.testutil.CaravanTestProperties;

/** The embedded S3 server begun beside the context goes to the bean with the same settings, or closes with it. */
class EarlyStartTest {

    private final Path home = CaravanTestProperties.newHome();
    private final GenericApplicationContext context = new GenericApplicationContext();
    private final EarlyStart early = new EarlyStart();

    @Test
    void theBeanWithTheSameSettingsTakesTheRunningServer() throws IOException {
        // given
        S3Properties settings = prepared();

        // when
        StorageConfiguration.EmbeddedS3Holder holder = early.claimStorage(settings, home).orElseThrow();

        // then: it answers on its port, and only one bean can take it
        try (holder; Socket socket = new Socket(holder.settings().endpoint().getHost(),
                holder.settings().endpoint().getPort())) {
            assertThat(socket.isConnected()).isTrue();
            assertThat(early.claimStorage(settings, home)).isEmpty();
        }
    }

    @Test
    void aServerForOtherSettingsIsNotTakenAndClosesWithTheContext() {
        // given
        S3Properties settings = prepared();
        S3Properties otherPort = new S3Properties(null, settings.region(), null, null,
                new S3Properties.Embedded("127.0.0.1", 1), settings.maxAttempts());

        // when, then
        assertThat(early.claimStorage(otherPort, home)).isEmpty();
        early.onApplicationEvent(new ContextClosedEvent(context));
        assertThat(early.claimStorage(settings, home)).isEmpty();
    }

    private S3Properties prepared() {
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", Map.of(
                "caravan.home", home.toString(), "caravan.s3.region", "us-east-1",
                "caravan.s3.embedded.host", "127.0.0.1", "caravan.s3.embedded.port", "0")));
        early.onApplicationEvent(new ApplicationPreparedEvent(new SpringApplication(), new String[0], context));
        return Binder.get(context.getEnvironment()).bind("caravan.s3", S3Properties.class).get();
    }
}
