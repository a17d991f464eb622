package dev.caravan.storage;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an S3 service is, how to sign in to it, and how many times a client tries each request (the first attempt
 * included) before it gives up. The same values travel to training processes as the environment contract of a TFJob
 * container ({@code S3_ENDPOINT}, {@code AWS_ACCESS_KEY_ID}, {@code AWS_MAX_ATTEMPTS}, ...).
 */
public record S3Settings(URI endpoint, String region, String accessKeyId, String secretAccessKey, boolean verifySsl,
                         int maxAttempts) {

    /** Attempts per request when nothing says otherwise: with the SDK's backoff, about 1 s of trying (3 s when throttled). */
    public static final int DEFAULT_MAX_ATTEMPTS = 4;

    public static final String S3_ENDPOINT = "S3_ENDPOINT";
    public static final String S3_USE_HTTPS = "S3_USE_HTTPS";
    public static final String S3_VERIFY_SSL = "S3_VERIFY_SSL";
    public static final String AWS_REGION = "AWS_REGION";
    public static final String AWS_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    public static final String AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    /** The AWS SDKs' and CLI's own name for the attempts per request, so any trainer's S3 client honours it. */
    public static final String AWS_MAX_ATTEMPTS = "AWS_MAX_ATTEMPTS";

    public S3Settings {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("S3 max attempts must be at least 1 (the first try), not " + maxAttempts);
        }
    }

    /** Settings with {@link #DEFAULT_MAX_ATTEMPTS}. */
    public S3Settings(URI endpoint, String region, String accessKeyId, String secretAccessKey, boolean verifySsl) {
        this(endpoint, region, accessKeyId, secretAccessKey, verifySsl, DEFAULT_MAX_ATTEMPTS);
    }

    /** The same service reached at another address, e.g. the one pods use. */
    public S3Settings withEndpoint(URI other) {
        return new S3Settings(other, region, accessKeyId, secretAccessKey, verifySsl, maxAttempts);
    }

    /** Reads the TFJob-style environment; {@code S3_ENDPOINT} is host:port (as TensorFlow reads it) or a URL. */
    public static S3Settings fromEnvironment(Map<String, String> env) {
        String endpoint = required(env, S3_ENDPOINT);
        boolean https = !"0".equals(env.getOrDefault(S3_USE_HTTPS, "1"));
        URI uri = URI.create(endpoint.contains("://") ? endpoint : (https ? "https://" : "http://") + endpoint);
        return new S3Settings(uri, env.getOrDefault(AWS_REGION, "us-east-1"), required(env, AWS_ACCESS_KEY_ID),
                required(env, AWS_SECRET_ACCESS_KEY), !"0".equals(env.getOrDefault(S3_VERIFY_SSL, "1")),
                attempts(env.getOrDefault(AWS_MAX_ATTEMPTS, Integer.toString(DEFAULT_MAX_ATTEMPTS))));
    }

    /** The environment a training container needs to reach this S3 service. */
    public Map<String, String> toEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(S3_ENDPOINT, endpoint.getAuthority());
        env.put(S3_USE_HTTPS, "https".equals(endpoint.getScheme()) ? "1" : "0");
        env.put(S3_VERIFY_SSL, verifySsl ? "1" : "0");
        env.put(AWS_REGION, region);
        env.put(AWS_ACCESS_KEY_ID, accessKeyId);
        env.put(AWS_SECRET_ACCESS_KEY, secretAccessKey);
        env.put(AWS_MAX_ATTEMPTS, Integer.toString(maxAttempts));
        return env;
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", accessKeyId=" + accessKeyId
                + ", maxAttempts=" + maxAttempts + "]";
    }

    private static int attempts(String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("environment variable " + AWS_MAX_ATTEMPTS + " is '" + value
                    + "', not a whole number of attempts such as 4");
        }
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("environment variable " + name + " is not set");
        }
        return value;
    }
}
