package dev.caravan.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;

import dev.caravan.storage.S3Settings;

/**
 * Turns an environment contract into container variables: plain values, except the S3 credentials, which come
 * from the Secret by reference and are never written into an object.
 */
final class PodEnvironment {

    private PodEnvironment() {
    }

    static List<EnvVar> of(Map<String, String> contract, KubernetesSettings.S3 s3) {
        List<EnvVar> env = new ArrayList<>();
        contract.forEach((name, value) -> {
            if (S3Settings.AWS_ACCESS_KEY_ID.equals(name)) {
                env.add(fromSecret(name, s3.secret(), s3.accessKeyIdKey()));
            } else if (S3Settings.AWS_SECRET_ACCESS_KEY.equals(name)) {
                env.add(fromSecret(name, s3.secret(), s3.secretAccessKeyKey()));
            } else {
                env.add(new EnvVar(name, value, null));
            }
        });
        return env;
    }

    /** The S3 variables of {@code settings}, with the endpoint pods use when one is configured for them. */
    static List<EnvVar> s3(S3Settings settings, KubernetesSettings.S3 s3) {
        return of(podS3(settings, s3).toEnvironment(), s3);
    }

    static S3Settings podS3(S3Settings settings, KubernetesSettings.S3 s3) {
        if (s3.endpoint() == null || s3.endpoint().isBlank()) {
            return settings;
        }
        String endpoint = s3.endpoint().contains("://") ? s3.endpoint() : "http://" + s3.endpoint();
        return settings.withEndpoint(java.net.URI.create(endpoint));
    }

    private static EnvVar fromSecret(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewSecretKeyRef(key, secret, false).endValueFrom()
                .build();
    }
}
