package dev.caravan.schedule;

/** The errors of schedule operations, each with a message that says what to do. */
public final class ScheduleErrors {

    private ScheduleErrors() {
    }

    /** A field of a schedule request is wrong; {@code field} names it as the API spells it. */
    public static class Invalid extends IllegalArgumentException {

        private final String field;
        private final String reason;

        public Invalid(String field, String reason) {
            super(field + ": " + reason);
            this.field = field;
            this.reason = reason;
        }

        public String field() {
            return field;
        }

        public String reason() {
            return reason;
        }
    }

    /** No schedule has the name asked for. */
    public static class NotFound extends RuntimeException {

        public NotFound(String name) {
            super("no schedule named '" + name + "'; list the schedules with: caravan schedule list");
        }
    }

    /** A schedule with this name exists already. */
    public static class Duplicate extends RuntimeException {

        public Duplicate(String name) {
            super("a schedule named '" + name + "' exists already; delete it first (caravan schedule delete " + name
                    + ") or choose another name");
        }
    }

    /** Quartz's job store could not be read or written. */
    public static class StoreFailed extends RuntimeException {

        public StoreFailed(String what, Exception cause) {
            super("could not " + what + " in the schedule store (Quartz tables in Caravan's database): "
                    + cause.getMessage(), cause);
        }
    }
}
