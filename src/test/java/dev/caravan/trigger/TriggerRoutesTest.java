package dev.caravan.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.caravan.database.SchemaMigrations;
import dev.caravan.definition.PipelineCatalog;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.Pipelines;

/**
 * The trigger routes made from the templates in {@code routes/retrain-on-data.camel.yaml}, one per pipeline, polling
 * Caravan's embedded S3 server: a marker under a pipeline's prefix retrains that pipeline once. The pipelines are
 * {@code mnist} (config/pipelines/mnist.yaml) and {@code fashion}, in the same bucket under {@code data/fashion/}.
 */
@CamelSpringBootTest
@SpringBootTest(classes = TriggerRoutesTest.TriggerRoutesOnEmbeddedS3.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"camel.main.routes-include-pattern=file:${user.dir}/routes/errors.camel.yaml,"
                + "file:${user.dir}/routes/retrain-on-data.camel.yaml",
                "spring.datasource.url=jdbc:h2:mem:trigger-routes;DB_CLOSE_DELAY=-1", "caravan.s3.embedded.port=0",
                "caravan.trigger.poll-interval=100ms", "logging.file.name="})
class TriggerRoutesTest {

    private static final S3Location MNIST_MARKER = S3Location.parse("s3://tfmnist/data/mnist/_SUCCESS");
    private static final S3Location FASHION_MARKER = S3Location.parse("s3://tfmnist/data/fashion/_SUCCESS");

    /** The trigger routes with the storage and idempotency wiring Caravan starts them with. */
    // Not a @Configuration: benchmarks run Caravan with the test classes on the class path, and its component scan
    // must not find this context's beans.
    @ImportAutoConfiguration({CamelAutoConfiguration.class, DataSourceAutoConfiguration.class,
            DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
            FlywayAutoConfiguration.class})
    @ConfigurationPropertiesScan("dev.caravan")
    @ComponentScan(basePackages = "dev.caravan.system", useDefaultFilters = false, includeFilters =
            @ComponentScan.Filter(type = FilterType.REGEX,
                    pattern = "dev\\.caravan\\.system\\.(StorageConfiguration|IdempotencyConfiguration)"))
    @Import({SchemaMigrations.class, PipelineCatalog.class, TriggerRoutes.class})
    static class TriggerRoutesOnEmbeddedS3 {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        registry.add("caravan.home", () -> CaravanTestProperties.newHome().toString());
        Pipelines.fashion().forEach((name, value) -> registry.add(name, () -> value));
    }

    @Autowired
    CamelContext camel;

    @Autowired
    ObjectStore store;

    @MockitoBean(name = "retrainTrigger")
    RetrainTrigger trigger;

    @Test
    void aMarkerTriggersItsPipelineOnceHoweverOftenItIsPolled() {
        // when
        upload(MNIST_MARKER);

        // then: one retrain, and polls of the same marker (same ETag) after it start none
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> then(trigger).should().launchForMarker(eq("mnist"), anyString(), any()));
        NotifyBuilder polledAgain = new NotifyBuilder(camel).fromRoute("retrain-on-marker-mnist").whenCompleted(3).create();
        assertThat(polledAgain.matches(10, TimeUnit.SECONDS)).as("the marker was polled again").isTrue();
        then(trigger).should(times(1)).launchForMarker(eq("mnist"), anyString(), any());
        then(trigger).shouldHaveNoMoreInteractions();
    }

    @Test
    void aMarkerUploadedAgainTriggersAgain() {
        // given: a marker that triggered
        upload(MNIST_MARKER);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> then(trigger).should().launchForMarker(eq("mnist"), anyString(), any()));

        // when: the upload completes again, with a new marker (a new ETag)
        upload(MNIST_MARKER);

        // then
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> then(trigger).should(times(2)).launchForMarker(eq("mnist"), anyString(), any()));
    }

    @Test
    void aMarkerUnderOnePipelinesPrefixTriggersOnlyThatPipeline() {
        // when
        NotifyBuilder polled = new NotifyBuilder(camel).fromRoute("retrain-on-marker-fashion").whenCompleted(3).create();
        upload(FASHION_MARKER);

        // then: both routes polled meanwhile, and only fashion retrains
        assertThat(polled.matches(10, TimeUnit.SECONDS)).as("the fashion marker was polled").isTrue();
        then(trigger).should(times(1)).launchForMarker(eq("fashion"), anyString(), any());
        then(trigger).should(never()).launchForMarker(eq("mnist"), anyString(), any());
    }

    @Test
    void everyPipelineHasATriggerRouteOfItsOwn() {
        assertThat(camel.getRoute("retrain-on-marker-mnist")).isNotNull();
        assertThat(camel.getRoute("retrain-on-marker-fashion")).isNotNull();
        assertThat(camel.getRoute("retrain-on-quiet-prefix-mnist")).as("mnist has no quiet period").isNull();
    }

    /** A marker with new content, so a new ETag, as the end of an upload writes it. */
    private void upload(S3Location marker) {
        store.put(marker, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    }
}
