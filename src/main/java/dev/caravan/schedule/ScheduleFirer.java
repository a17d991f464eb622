package dev.caravan.schedule;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import dev.caravan.pipeline.RetrainCoordinator.Admission;
import dev.caravan.pipeline.RunOperations;
import dev.caravan.pipeline.Run;
import dev.caravan.schedule.FireRecord.Outcome;
import dev.caravan.snapshot.Snapshot;

/**
 * Decides what one fire of a schedule does, in this order. A fire is MISSED when a later fire of the schedule is
 * due as well (only the latest due fire may run, so a backlog runs once) or when no fire was due within the
 * starting deadline; under Forbid it is FORBIDDEN while the model has a run going or waiting; it is SKIPPED when the
 * data frozen now is the snapshot of the model's last completed run; else it submits a retrain on that snapshot (under
 * Replace after stopping the model's run that is going) and is FIRED. "Now" is the clock's, so each rule is tested without waiting.
 */
final class ScheduleFirer {

    /** Missed fires are counted up to this many for the record. */
    static final int COUNT_LIMIT = 1000;

    private final Retrains retrains;
    private final Clock clock;

    ScheduleFirer(Retrains retrains, Clock clock) {
        this.retrains = retrains;
        this.clock = clock;
    }

    /**
     * One fire: {@code scheduledAt} is the time Quartz fired it for (after a misfire, the time of the catch-up),
     * {@code previousAt} the schedule's fire before it, or null if there was none.
     */
    FireRecord fire(Schedule schedule, Instant scheduledAt, Instant previousAt) {
        Fire fire = new Fire(schedule, scheduledAt, clock.instant());
        FireTimes times = FireTimes.of(schedule);
        Optional<Instant> later = times.after(scheduledAt).filter(time -> !time.isAfter(fire.at()));
        if (later.isPresent()) {
            return fire.end(Outcome.MISSED, null, "superseded: the fire due at " + later.get()
                    + " has come too, and only the latest due fire runs");
        }
        FireTimes.Span missed = times.between(previousAt == null ? schedule.createdAt() : previousAt, fire.at(),
                COUNT_LIMIT);
        if (!withinDeadline(schedule, times, fire.at())) {
            return fire.end(Outcome.MISSED, null, "no fire was due within the starting deadline of "
                    + schedule.startingDeadline() + " (" + describe(missed, scheduledAt) + "); the next fire is at "
                    + times.after(fire.at()).map(Instant::toString).orElse("never"));
        }
        if (schedule.concurrencyPolicy() == ConcurrencyPolicy.FORBID && !retrains.idle(schedule.model())) {
            return fire.end(Outcome.FORBIDDEN, null, "policy Forbid: " + retrains.running(schedule.model())
                    .map(run -> "run " + run + " is still going")
                    .orElse("a run of " + schedule.model() + " is going or waiting"));
        }
        try {
            return submit(fire, caughtUp(missed, scheduledAt) ? "caught up once for " + describe(missed, scheduledAt)
                    + "; " : "");
        } catch (RuntimeException e) {
            return fire.end(Outcome.FAILED, null, "could not freeze the data and submit a retrain: " + e.getMessage()
                    + "; the next fire tries again");
        }
    }

    private FireRecord submit(Fire fire, String catchUp) {
        Schedule schedule = fire.schedule();
        Snapshot snapshot = retrains.freeze(schedule.model());
        Optional<Run> last = retrains.lastCompleted(schedule.model());
        if (last.isPresent() && last.get().snapshot().equals(snapshot.hash())) {
            return fire.end(Outcome.SKIPPED, null, catchUp + "no new data: snapshot " + brief(snapshot.hash())
                    + " of " + snapshot.location() + " is the one run " + last.get().name() + " completed on");
        }
        String run = retrains.runName(schedule.model(), snapshot, schedule.parameters());
        if (schedule.concurrencyPolicy() == ConcurrencyPolicy.REPLACE
                && retrains.running(schedule.model()).filter(run::equals).isPresent()) {
            // Replacing a run with itself would start the same work again from its first step, at every fire.
            return fire.end(Outcome.SKIPPED, run, catchUp + "run " + run + " of this very data and these settings is "
                    + "still going, so it goes on");
        }
        String stopped = schedule.concurrencyPolicy() == ConcurrencyPolicy.REPLACE ? stopGoingRun(schedule) : "";
        RunOperations.Submission submission = retrains.submit(schedule.model(), snapshot, schedule.parameters(),
                "schedule " + schedule.name());
        if (submission.admission() == Admission.DONE) {
            return fire.end(Outcome.SKIPPED, submission.run(), catchUp + stopped + "no new work: run "
                    + submission.run() + " already completed on snapshot " + brief(snapshot.hash())
                    + " with these settings");
        }
        return fire.end(Outcome.FIRED, submission.run(), catchUp + stopped
                + admitted(schedule, submission.admission(), snapshot));
    }

    /** Under Replace: stops the model's run that is going, so this fire's request runs in its place. */
    private String stopGoingRun(Schedule schedule) {
        Optional<String> going = retrains.running(schedule.model());
        if (going.isEmpty()) {
            return "";
        }
        try {
            retrains.stop(going.get(), "schedule " + schedule.name() + " (policy Replace)");
            return "stopped run " + going.get() + "; ";
        } catch (IllegalStateException e) {
            return "did not stop run " + going.get() + " (" + e.getMessage() + "); ";
        }
    }

    private static boolean withinDeadline(Schedule schedule, FireTimes times, Instant now) {
        return schedule.startingDeadline() == null
                || times.anyBetween(now.minus(schedule.startingDeadline()), now);
    }

    private String admitted(Schedule schedule, Admission admission, Snapshot snapshot) {
        String data = "snapshot " + brief(snapshot.hash()) + " (" + snapshot.objectCount() + " objects)";
        if (admission == Admission.STARTED) {
            return "started on " + data;
        }
        if (admission == Admission.RUNNING) {
            return "the run of " + data + " with these settings is going already";
        }
        String going = retrains.running(schedule.model()).map(run -> "run " + run)
                .orElse("the run of " + schedule.model() + " that is going");
        return schedule.concurrencyPolicy() == ConcurrencyPolicy.REPLACE
                ? "replaced the follow-up waiting behind " + going + " with " + data
                : "waits on " + data + " as the follow-up of " + going;
    }

    /** True for the fire Quartz makes once after a misfire: one or more fires came while none could run. */
    private static boolean caughtUp(FireTimes.Span missed, Instant scheduledAt) {
        return missed.count() > 1 || missed.count() == 1 && !missed.latest().equals(scheduledAt);
    }

    private static String describe(FireTimes.Span missed, Instant scheduledAt) {
        if (missed.more()) {
            return "more than " + missed.count() + " missed fires";
        }
        if (missed.count() == 0) {
            return "the fire at " + scheduledAt;
        }
        return missed.count() == 1 ? "the fire due at " + missed.latest()
                : missed.count() + " missed fires, the latest due at " + missed.latest();
    }

    private static String brief(String hash) {
        return hash.substring(0, Math.min(12, hash.length()));
    }

    /** A fire under way: its schedule, the time it was scheduled for and the time it happens. */
    private record Fire(Schedule schedule, Instant scheduledAt, Instant at) {

        FireRecord end(Outcome outcome, String run, String reason) {
            return new FireRecord(schedule.name(), schedule.model(), scheduledAt, at, outcome, run, reason);
        }
    }
}
