package dev.caravan.bench.faults;

/** Where a scenario is: clients warm up, then predict at rest, then while the served version is switched. */
public enum Phase {
    WARM_UP, AT_REST, SWITCHING
}
