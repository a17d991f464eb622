package dev.caravan.system;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.storage.EmbeddedS3;
import dev.caravan.storage.ObjectCreatedEvents;
import dev.caravan.storage.ObjectStore;
import dev.caravan.storage.S3Location;
import dev.caravan.storage.S3Properties;
import dev.caravan.storage.S3Settings;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3: the embedded server when no endpoint is configured, and one client for Caravan and its routes, which retries
 * with the SDK's standard strategy up to {@code caravan.s3.max-attempts} times per request.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    private static final String CREDENTIALS_FILE = "s3-credentials.properties";

    /**
     * Started before anything that talks to S3, usually already begun beside the context ({@link EarlyStart}); holds
     * no server when an external endpoint is configured.
     */
    @Bean(destroyMethod = "close")
    EmbeddedS3Holder embeddedS3(S3Properties s3, @Value("${caravan.home}") Path home,
                                ObjectProvider<EarlyStart> early) {
        EarlyStart begun = early.getIfAvailable();
        return Optional.ofNullable(begun).flatMap(e -> e.claimStorage(s3, home)).orElseGet(() -> startStorage(s3, home));
    }

    /** The embedded server for these settings, started, or only the settings of the external endpoint. */
    static EmbeddedS3Holder startStorage(S3Properties s3, Path home) {
        S3Settings configured = configuredSettings(s3, home);
        if (!s3.useEmbedded()) {
            return new EmbeddedS3Holder(null, configured);
        }
        EmbeddedS3 server = EmbeddedS3.start(home.resolve("s3"), s3.embedded().host(), s3.embedded().port(),
                configured.accessKeyId(), configured.secretAccessKey());
        return new EmbeddedS3Holder(server, server.settings());
    }

    /** The endpoint and credentials in effect (with the embedded server's real port), and the attempts per request. */
    @Bean
    S3Settings s3Settings(EmbeddedS3Holder holder, S3Properties s3) {
        S3Settings reached = holder.settings();
        return new S3Settings(reached.endpoint(), reached.region(), reached.accessKeyId(), reached.secretAccessKey(),
                reached.verifySsl(), s3.maxAttempts());
    }

    private static S3Settings configuredSettings(S3Properties s3, Path home) {
        if (!s3.useEmbedded()) {
            if (isBlank(s3.accessKeyId()) || isBlank(s3.secretAccessKey())) {
                throw new IllegalStateException("caravan.s3.endpoint is set to " + s3.endpoint() + " but the credentials "
                        + "are missing: set CARAVAN_S3_ACCESS_KEY_ID and CARAVAN_S3_SECRET_ACCESS_KEY");
            }
            return new S3Settings(URI.create(s3.endpoint()), s3.region(), s3.accessKeyId(), s3.secretAccessKey(), true);
        }
        String[] credentials = isBlank(s3.accessKeyId()) || isBlank(s3.secretAccessKey())
                ? generatedCredentials(home)
                : new String[] {s3.accessKeyId(), s3.secretAccessKey()};
        URI endpoint = URI.create("http://" + s3.embedded().host() + ":" + s3.embedded().port());
        return new S3Settings(endpoint, s3.region(), credentials[0], credentials[1], false);
    }

    @Bean
    S3Client s3Client(S3Settings settings) {
        return ObjectStore.client(settings);
    }

    @Bean
    ObjectStore objectStore(S3Client s3Client, PipelineCatalog pipelines) {
        ObjectStore store = new ObjectStore(s3Client);
        pipelines.all().stream().map(p -> p.source().bucket()).distinct().forEach(store::createBucketIfMissing);
        return store;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** A key pair made once per home folder, readable only by its owner, so no secret lives in code or config. */
    private static String[] generatedCredentials(Path home) {
        Path file = home.resolve(CREDENTIALS_FILE);
        try {
            Properties stored = new Properties();
            if (Files.exists(file)) {
                try (Reader reader = Files.newBufferedReader(file)) {
                    stored.load(reader);
                }
            } else {
                Files.createDirectories(home);
                stored.setProperty("aws_access_key_id", "caravan-" + random(4));
                stored.setProperty("aws_secret_access_key", random(20));
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try (Writer writer = Files.newBufferedWriter(file)) {
                    stored.store(writer, "Credentials of Caravan's embedded S3 server");
                }
            }
            return new String[] {stored.getProperty("aws_access_key_id"), stored.getProperty("aws_secret_access_key")};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the embedded S3 credentials in " + file, e);
        }
    }

    private static String random(int bytes) {
        byte[] value = new byte[bytes];
        new SecureRandom().nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    /**
     * The embedded server, when there is one, and the settings that reach S3 either way; the embedded server's new
     * objects, or none from an external S3.
     */
    record EmbeddedS3Holder(EmbeddedS3 server, S3Settings settings) implements ObjectCreatedEvents, AutoCloseable {

        @Override
        public void subscribe(Consumer<S3Location> listener) {
            if (server != null) {
                server.subscribe(listener);
            }
        }

        @Override
        public void close() {
            if (server != null) {
                server.close();
            }
        }
    }
}
