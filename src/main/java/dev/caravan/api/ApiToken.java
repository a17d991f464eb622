package dev.caravan.api;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;


/**
 * The bearer token that mutating API calls need: {@code CARAVAN_API_TOKEN} when set (on Kubernetes, from the Secret
 * {@code caravan-api}), else one generated at the first start and kept in {@code <home>/api-token} (readable by its
 * owner only, where the CLI finds it). A generated token is shown once on the console of the person who started
 * Caravan; in a pod the console is the pod's log, so there it is never shown. It never goes to a log or a response.
 */
@Component
public class ApiToken {

    static final String FILE = "api-token";
    private static final Logger log = LoggerFactory.getLogger(ApiToken.class);

    private final byte[] token;
    private final String whereToFind;

    @Autowired
    ApiToken(@Value("${caravan.api.token:}") String configured, @Value("${caravan.home}") Path home) {
        // Kubernetes sets KUBERNETES_SERVICE_HOST in every container it starts.
        this(configured, home, System.getenv("KUBERNETES_SERVICE_HOST") != null ? null : System.out);
    }

    /** {@code console}: where a generated token is shown, or null where no person reads it (a pod). */
    ApiToken(String configured, Path home, PrintStream console) {
        String value = configured == null || configured.isBlank() ? storedOrGenerated(home.resolve(FILE), console)
                : configured.trim();
        this.token = value.getBytes(StandardCharsets.UTF_8);
        this.whereToFind = configured == null || configured.isBlank()
                ? "the one Caravan generated in " + home.resolve(FILE).toAbsolutePath()
                + " (the caravan CLI on this machine reads it from there)"
                : "the one this Caravan was given in CARAVAN_API_TOKEN (caravan.api.token)";
    }

    /** Where a person finds the token, for an answer that refuses a call without it. */
    String whereToFind() {
        return whereToFind;
    }

    /** True when {@code presented} is the token, compared in constant time. */
    boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    private static String storedOrGenerated(Path file, PrintStream console) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String token = HexFormat.of().formatHex(random);
            Files.createDirectories(file.getParent());
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token);
            if (console == null) {
                log.warn("Caravan generated an API token and keeps it in {}; it is not shown because this console is"
                        + " the pod's log. Give the token with CARAVAN_API_TOKEN from a Secret instead"
                        + " (k8s/base/api-secret.template.yaml)", file);
            } else {
                // Shown once, to the person who started Caravan; the console is not the log file.
                console.println("Caravan generated an API token for changes through its API: " + token
                        + "\nIt is kept in " + file + "; the caravan CLI reads it from there, or set CARAVAN_API_TOKEN.");
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the API token file " + file, e);
        }
    }
}
