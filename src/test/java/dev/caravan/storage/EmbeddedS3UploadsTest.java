package dev.caravan.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/** What current S3 clients send with their default settings reaches the embedded server intact, or is refused. */
class EmbeddedS3UploadsTest {

    private static final String BUCKET = "uploads";
    private static final String UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    private static final String SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    private static final String SIGNED_CHUNKS = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

    @TempDir
    static Path dir;

    private static EmbeddedS3 server;
    private static S3Client s3;
    private static final List<String> contentSha256Sent = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() {
        server = EmbeddedS3.start(dir.resolve("s3"), "127.0.0.1", 0, "uploads-key", "uploads-secret");
        s3 = client(b -> b);
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stopServer() {
        s3.close();
        server.close();
    }

    @Test
    void aSmallObjectPutWithDefaultSettingsReadsBackAsWritten() {
        byte[] body = "a small object\n".getBytes(StandardCharsets.UTF_8);

        put(s3, "small.txt", body);

        assertThat(lastContentSha256()).isEqualTo(UNSIGNED_TRAILER);
        assertThat(get("small.txt")).isEqualTo(body);
    }

    @Test
    void aSmallObjectPutWithDefaultSettingsOverPlainHttpReadsBackAsWritten() {
        try (S3Client plain = client(b -> b.endpointOverride(server.settings().endpoint()).httpClient(ApacheHttpClient.create()))) {
            byte[] body = "a small object over http\n".getBytes(StandardCharsets.UTF_8);

            put(plain, "small-http.txt", body);

            assertThat(lastContentSha256()).isEqualTo(SIGNED_TRAILER);
            assertThat(get("small-http.txt")).isEqualTo(body);
        }
    }

    @Test
    void anObjectOfManyChunksReadsBackAsWritten() {
        byte[] body = randomBytes(3 * 1024 * 1024 + 17);

        put(s3, "large.bin", body);

        assertThat(lastContentSha256()).isEqualTo(UNSIGNED_TRAILER);
        assertThat(get("large.bin")).isEqualTo(body);
    }

    @Test
    void aSignedChunkedUploadWithATrailingChecksumReadsBackAsWritten() {
        try (S3Client signing = client(b -> b.authSchemeProvider(payloadSigning()))) {
            byte[] body = randomBytes(300 * 1024);

            put(signing, "signed-trailer.bin", body);

            assertThat(lastContentSha256()).isEqualTo(SIGNED_TRAILER);
            assertThat(get("signed-trailer.bin")).isEqualTo(body);
        }
    }

    @Test
    void aSignedChunkedUploadWithoutChecksumReadsBackAsWritten() {
        try (S3Client signing = client(b -> b.authSchemeProvider(payloadSigning())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED))) {
            byte[] body = randomBytes(300 * 1024);

            put(signing, "signed.bin", body);

            assertThat(lastContentSha256()).isEqualTo(SIGNED_CHUNKS);
            assertThat(get("signed.bin")).isEqualTo(body);
        }
    }

    @Test
    void aMultipartUploadWithDefaultSettingsReadsBackAsWritten() {
        byte[] first = randomBytes(5 * 1024 * 1024);
        byte[] second = randomBytes(1024 * 1024 + 3);
        String key = "multipart.bin";

        String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        byte[][] bodies = {first, second};
        for (int i = 0; i < bodies.length; i++) {
            int number = i + 1;
            UploadPartResponse part = s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(number),
                    RequestBody.fromBytes(bodies[number - 1]));
            parts.add(CompletedPart.builder().partNumber(number).eTag(part.eTag()).checksumCRC32(part.checksumCRC32()).build());
        }
        s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));

        byte[] whole = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, whole, first.length, second.length);
        assertThat(get(key)).isEqualTo(whole);
    }

    @Test
    void aRightContentMd5IsAcceptedAndAWrongOneRefused() throws Exception {
        byte[] body = "checked by MD5\n".getBytes(StandardCharsets.UTF_8);
        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
        String otherMd5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(new byte[1]));

        s3.putObject(b -> b.bucket(BUCKET).key("md5-right.txt").contentMD5(md5), RequestBody.fromBytes(body));

        assertThat(get("md5-right.txt")).isEqualTo(body);
        assertRefused(() -> s3.putObject(b -> b.bucket(BUCKET).key("md5-wrong.txt").contentMD5(otherMd5),
                RequestBody.fromBytes(body)), 400);
        assertAbsent("md5-wrong.txt");
    }

    @Test
    void aRightCrc32HeaderIsAccepted() {
        byte[] body = "checked by CRC32\n".getBytes(StandardCharsets.UTF_8);

        s3.putObject(b -> b.bucket(BUCKET).key("crc-right.txt").checksumCRC32(crc32(body)), RequestBody.fromBytes(body));

        assertThat(get("crc-right.txt")).isEqualTo(body);
    }

    @Test
    @Disabled("s3proxy 3.2.0 checks x-amz-checksum-* request headers only on DeleteObjects, not on PutObject")
    void aWrongCrc32HeaderIsRefused() {
        byte[] body = "checked by CRC32\n".getBytes(StandardCharsets.UTF_8);

        assertRefused(() -> s3.putObject(b -> b.bucket(BUCKET).key("crc-wrong.txt").checksumCRC32(crc32(new byte[1])),
                RequestBody.fromBytes(body)), 400);
        assertAbsent("crc-wrong.txt");
    }

    @Test
    @Disabled("s3proxy 3.2.0 reads an unsigned aws-chunked body only to its declared length, so the trailing checksum "
            + "of a STREAMING-UNSIGNED-PAYLOAD-TRAILER upload is never compared")
    void aBodyChangedAfterItsTrailingChecksumWasComputedIsRefused() {
        byte[] body = new byte[4096];
        Arrays.fill(body, (byte) 1);
        try (S3Client corrupting = client(b -> b.httpClient(new WireHttpClient(true)))) {

            assertRefused(() -> put(corrupting, "corrupted.bin", body), 400);
        }
        assertThat(lastContentSha256()).isEqualTo(UNSIGNED_TRAILER);
        assertAbsent("corrupted.bin");
    }

    @Test
    void aSignedChunkWithAWrongSignatureIsRefused() {
        byte[] body = new byte[4096];
        Arrays.fill(body, (byte) 1);
        try (S3Client corrupting = client(b -> b.authSchemeProvider(payloadSigning()).httpClient(new WireHttpClient(true)))) {

            assertRefused(() -> put(corrupting, "corrupted-signed.bin", body), 403);
        }
        assertThat(lastContentSha256()).isEqualTo(SIGNED_TRAILER);
        assertAbsent("corrupted-signed.bin");
    }

    @Test
    void aWrongSecretIsRefused() {
        try (S3Client stranger = client(b -> b.credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create("uploads-key", "another-secret"))))) {

            assertRefused(() -> put(stranger, "stranger.txt", new byte[] {1, 2, 3}), 403);
        }
        assertAbsent("stranger.txt");
    }

    private static S3Client client(UnaryOperator<S3ClientBuilder> customizer) {
        S3Settings settings = server.settings();
        // The SDK's own defaults, stated so that no system property of the test JVM changes them. The client believes
        // it talks https, and so sends what it sends to AWS, but the bytes go over plain http.
        S3ClientBuilder builder = S3Client.builder()
                .endpointOverride(URI.create(settings.endpoint().toString().replace("http://", "https://")))
                .httpClient(new WireHttpClient(false))
                .region(Region.of(settings.region()))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_SUPPORTED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_SUPPORTED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())))
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ContentSha256Recorder()));
        return customizer.apply(builder).build();
    }

    /** Signs every chunk, as the SDK does by default over https. */
    private static S3AuthSchemeProvider payloadSigning() {
        S3AuthSchemeProvider defaults = S3AuthSchemeProvider.defaultProvider();
        return params -> defaults.resolveAuthScheme(params).stream()
                .map(o -> o.toBuilder().putSignerProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true).build())
                .toList();
    }

    private static void put(S3Client client, String key, byte[] body) {
        client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(body));
    }

    private static byte[] get(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
    }

    private static void assertRefused(Runnable request, int status) {
        assertThatThrownBy(request::run).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.statusCode()).as(e.getMessage()).isEqualTo(status));
    }

    private static void assertAbsent(String key) {
        assertThatThrownBy(() -> get(key)).isInstanceOf(NoSuchKeyException.class);
    }

    private static String lastContentSha256() {
        return contentSha256Sent.get(contentSha256Sent.size() - 1);
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static String crc32(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        long value = crc.getValue();
        return Base64.getEncoder().encodeToString(new byte[] {
                (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    /** Notes how each PutObject's payload was declared, so a test knows which framing it exercised. */
    private static final class ContentSha256Recorder implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (context.request() instanceof PutObjectRequest) {
                context.httpRequest().firstMatchingHeader("x-amz-content-sha256").ifPresent(contentSha256Sent::add);
            }
        }
    }

    /**
     * Sends over plain http whatever the client signed for https (a signature does not cover the scheme); when
     * corrupting, changes every payload byte 1 to 2 after the client computed its checksums and signatures.
     */
    private static final class WireHttpClient implements SdkHttpClient {
        private final SdkHttpClient delegate = ApacheHttpClient.create();
        private final boolean corrupting;

        WireHttpClient(boolean corrupting) {
            this.corrupting = corrupting;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            HttpExecuteRequest.Builder plain = HttpExecuteRequest.builder()
                    .request(request.httpRequest().toBuilder().protocol("http").build());
            request.contentStreamProvider().ifPresent(content -> plain.contentStreamProvider(
                    corrupting ? () -> corrupted(content.newStream()) : content));
            return delegate.prepareRequest(plain.build());
        }

        private static InputStream corrupted(InputStream in) {
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    return b == 1 ? 2 : b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = super.read(buffer, offset, length);
                    for (int i = offset; i < offset + n; i++) {
                        if (buffer[i] == 1) {
                            buffer[i] = 2;
                        }
                    }
                    return n;
                }
            };
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
