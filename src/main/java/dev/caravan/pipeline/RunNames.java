package dev.caravan.pipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.batch.core.JobParameters;

/**
 * Run names derived from a job's identifying parameters: the same work always has the same name, so a restarted
 * step finds what it created before. Names are DNS-1123 labels, valid as Kubernetes object names.
 */
final class RunNames {

    static final String MODEL = "model";
    static final String SNAPSHOT = "snapshot";

    private RunNames() {
    }

    static String of(JobParameters parameters) {
        Map<String, String> identifying = new TreeMap<>();
        parameters.getIdentifyingParameters().forEach((name, value) -> identifying.put(name, String.valueOf(value.getValue())));
        return parameters.getString(MODEL) + "-" + sha256(identifying.toString()).substring(0, 10);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
