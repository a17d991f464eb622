package dev.caravan.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;


/**
 * The bearer token that mutating API calls need: {@code CARAVAN_API_TOKEN} when set, else one generated at the
 * first start, kept in {@code <home>/api-token} (readable by its owner only, where the CLI finds it) and shown
 * once on the console. It never goes to a log or a response.
 */
@Component
public class ApiToken {

    static final String FILE = "api-token";

    private final byte[] token;

    ApiToken(@Value("${caravan.api.token:}") String configured, @Value("${caravan.home}") Path home) {
        String value = configured.isBlank() ? storedOrGenerated(home.resolve(FILE)) : configured.trim();
        this.token = value.getBytes(StandardCharsets.UTF_8);
    }

    /** True when {@code presented} is the token, compared in constant time. */
    boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    private static String storedOrGenerated(Path file) {
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
            // Shown once, to the person who started Caravan; the console is not the log file.
            System.out.println("Caravan generated an API token for changes through its API: " + token
                    + "\nIt is kept in " + file + "; the caravan CLI reads it from there, or set CARAVAN_API_TOKEN.");
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the API token file " + file, e);
        }
    }
}
