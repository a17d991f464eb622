package dev.caravan.kubernetes;

import java.time.Duration;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Calls to the Kubernetes API, retried with exponential back-off when the failure may pass (no answer, 429, 5xx,
 * a conflict); other failures and the last retry end in a {@link KubernetesException} with the API's message.
 */
final class KubernetesApi {

    private static final Logger log = LoggerFactory.getLogger(KubernetesApi.class);

    private final KubernetesClient client;
    private final KubernetesSettings settings;

    KubernetesApi(KubernetesClient client, KubernetesSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    KubernetesClient client() {
        return client;
    }

    String namespace() {
        return settings.namespace();
    }

    <T> T call(String what, Supplier<T> call) {
        Duration backoff = settings.api().backoff();
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (KubernetesClientException e) {
                if (!transient_(e) || attempt >= settings.api().attempts()) {
                    throw new KubernetesException("Kubernetes API failed to " + what + " in namespace "
                            + settings.namespace() + " at " + client.getMasterUrl() + ": " + message(e)
                            + (attempt > 1 ? " (after " + attempt + " attempts)" : ""), e);
                }
                log.warn("Kubernetes API failed to {} (attempt {} of {}): {}; retrying in {} ms", what, attempt,
                        settings.api().attempts(), message(e), backoff.toMillis());
                pause(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    /** Fails before anything is created when the cluster cannot be reached or the S3 Secret is missing. */
    void checkReady() {
        Secret secret = call("read the S3 Secret " + settings.s3().secret(),
                () -> client.secrets().inNamespace(namespace()).withName(settings.s3().secret()).get());
        if (secret == null) {
            throw new KubernetesException("the S3 Secret '" + settings.s3().secret() + "' does not exist in namespace "
                    + namespace() + "; create it with the keys " + settings.s3().accessKeyIdKey() + " and "
                    + settings.s3().secretAccessKeyKey() + " (see k8s/base/s3-secret.template.yaml)");
        }
        for (String key : new String[] {settings.s3().accessKeyIdKey(), settings.s3().secretAccessKeyKey()}) {
            boolean present = (secret.getData() != null && secret.getData().containsKey(key))
                    || (secret.getStringData() != null && secret.getStringData().containsKey(key));
            if (!present) {
                throw new KubernetesException("the S3 Secret '" + settings.s3().secret() + "' in namespace " + namespace()
                        + " has no key '" + key + "'");
            }
        }
    }

    static String message(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage() + " (HTTP " + e.getCode() + ")";
        }
        return noAnswer(e) ? "no answer (" + root(e) + "); check the cluster address, kubeconfig context and network"
                : e.getMessage();
    }

    private static boolean transient_(KubernetesClientException e) {
        int code = e.getCode();
        return noAnswer(e) || code == 409 || code == 429 || code >= 500;
    }

    private static boolean noAnswer(KubernetesClientException e) {
        return e.getCode() <= 0 || root(e) instanceof java.io.IOException;
    }

    private static Throwable root(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static void pause(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesException("interrupted while waiting to retry a Kubernetes API call", e);
        }
    }
}
