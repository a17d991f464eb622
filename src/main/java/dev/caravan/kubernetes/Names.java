package dev.caravan.kubernetes;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Object names, labels and the checks that reject bad input before anything is created. */
final class Names {

    static final String DNS_1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    static final String DNS_1123_MESSAGE = "must be a DNS-1123 label: at most 63 lower-case letters, digits and '-', "
            + "starting and ending with a letter or digit";

    static final String NAME = "app.kubernetes.io/name";
    static final String INSTANCE = "app.kubernetes.io/instance";
    static final String COMPONENT = "app.kubernetes.io/component";
    static final String PART_OF = "app.kubernetes.io/part-of";
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String RUN = "caravan.dev/run";
    static final String MODEL = "caravan.dev/model";
    static final String MODEL_VERSION = "caravan.dev/model-version";
    static final String RETAIN_UNTIL = "caravan.dev/retain-until";

    // The Docker reference grammar, simplified: [registry[:port]/]path[:tag][@digest], lower-case path components.
    private static final Pattern IMAGE = Pattern.compile(
            "(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
                    + "(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(?:@sha256:[a-f0-9]{64})?");
    private static final Pattern QUANTITY = Pattern.compile(
            "([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?");

    private Names() {
    }

    /** The standard labels of an object Caravan creates, plus its run or model. */
    static Map<String, String> labels(String name, String instance, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, name);
        labels.put(INSTANCE, instance);
        labels.put(COMPONENT, component);
        labels.put(PART_OF, "caravan");
        labels.put(MANAGED_BY, "caravan");
        return labels;
    }

    static String dnsLabel(String what, String value) {
        if (value == null || value.length() > 63 || !value.matches(DNS_1123_LABEL)) {
            throw new IllegalArgumentException(what + " '" + value + "' " + DNS_1123_MESSAGE);
        }
        return value;
    }

    static String image(String what, String value) {
        if (value == null || value.length() > 255 || !IMAGE.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a valid image reference; write it as "
                    + "[registry/]repository[:tag][@sha256:digest], e.g. tensorflow/serving:2.18.0");
        }
        return value;
    }

    static String quantity(String what, String value) {
        if (value == null || !QUANTITY.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a Kubernetes quantity, e.g. 500m, 2 or 4Gi");
        }
        return value;
    }

    static int atLeast(String what, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(what + " must be at least " + minimum + ", not " + value);
        }
        return value;
    }
}
