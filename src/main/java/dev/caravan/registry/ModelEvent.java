package dev.caravan.registry;

/**
 * A change of the version a model serves, published as a Spring application event by {@link ModelOperations}: the
 * integration package hands it on to routes as {@code model.promoted} and {@code model.rolledBack}.
 */
public sealed interface ModelEvent {

    /** The run that produced the version concerned. */
    String run();

    String model();

    /** {@code version} serves, in place of {@code previousVersion} (null: nothing served before). */
    record Promoted(String run, String model, long version, Long previousVersion, String by) implements ModelEvent {
    }

    /** Serving went back from {@code fromVersion} to {@code toVersion}, or to no version at all when it is null. */
    record RolledBack(String run, String model, long fromVersion, Long toVersion, String reason) implements ModelEvent {
    }
}
