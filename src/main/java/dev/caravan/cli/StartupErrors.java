package dev.caravan.cli;

import java.util.stream.Collectors;

import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.validation.FieldError;

/** Turns why Caravan could not start into lines a person can act on: the setting, the reason, the value. */
final class StartupErrors {

    private StartupErrors() {
    }

    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BindValidationException invalid) {
                String prefix = invalid.getValidationErrors().getName().toString();
                return "invalid configuration:\n" + invalid.getValidationErrors().getAllErrors().stream()
                        .map(error -> error instanceof FieldError field
                                ? "  " + prefix + "." + kebab(field.getField()) + ": " + field.getDefaultMessage()
                                        + " (was " + field.getRejectedValue() + ")"
                                : "  " + prefix + ": " + error.getDefaultMessage())
                        .collect(Collectors.joining("\n"))
                        + "\nfix it in config/application.yaml, the environment or the command line";
            }
        }
        return CaravanCommand.rootMessage(failure);
    }

    /** {@code gate.minAccuracy} -> {@code gate.min-accuracy}, as the setting is written in config files. */
    static String kebab(String field) {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
