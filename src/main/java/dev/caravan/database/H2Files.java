package dev.caravan.database;

import java.util.Locale;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;

/**
 * Opens H2 databases on disk through H2's {@code async:} file system. H2's default file system reads and writes through
 * an interruptible {@code FileChannel}: a thread interrupted in the middle of a write (Caravan interrupts its runs when
 * it stops, or stops leading) closes the channel, and with it the whole database for every thread until a restart
 * ("The database has been closed"). The {@code async:} file system finishes the write and keeps the thread's interrupt
 * flag. It reads and writes the same files, so a database made with {@code file:} opens unchanged (H2 "Advanced:
 * Pluggable File System"). A URL that names another file system ({@code nio:}, {@code split:}, {@code mem:}, ...) or a
 * server ({@code tcp:}, {@code ssl:}) is left as it is.
 */
public final class H2Files implements BeanPostProcessor {

    private static final Logger log = LoggerFactory.getLogger(H2Files.class);
    private static final String H2 = "jdbc:h2:";
    // A file system or server prefix: two or more letters and a colon (one letter and a colon is a Windows drive).
    private static final Pattern PREFIX = Pattern.compile("^[A-Za-z][A-Za-z0-9]+:.*", Pattern.DOTALL);

    /**
     * {@code url} with H2's default file system, written {@code file:} or not at all, replaced by {@code async:};
     * any other URL unchanged.
     */
    public static String interruptSafe(String url) {
        if (url == null || !url.toLowerCase(Locale.ROOT).startsWith(H2)) {
            return url;
        }
        String rest = url.substring(H2.length());
        if (rest.toLowerCase(Locale.ROOT).startsWith("file:")) {
            return H2 + "async:" + rest.substring("file:".length());
        }
        return PREFIX.matcher(rest).matches() ? url : H2 + "async:" + rest;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof DataSourceProperties properties) {
            String safe = interruptSafe(properties.getUrl());
            if (safe != null && !safe.equals(properties.getUrl())) {
                log.info("Opening the H2 database through H2's async file system, which an interrupted thread"
                        + " cannot close: {}", safe);
                properties.setUrl(safe);
            }
        }
        return bean;
    }
}
