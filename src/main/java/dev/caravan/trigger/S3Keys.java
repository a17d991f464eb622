package dev.caravan.trigger;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Object keys as S3 event notifications write them: URL-encoded, a space as '+' (AWS S3 event message structure). */
final class S3Keys {

    private S3Keys() {
    }

    static String decode(String key) {
        return URLDecoder.decode(key, StandardCharsets.UTF_8);
    }
}
