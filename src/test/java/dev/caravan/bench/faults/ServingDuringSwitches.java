package dev.caravan.bench.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.testutil.CaravanInstance;

/**
 * The fault suite's "serving during switches" scenario. A whole Caravan (on a fresh home, free ports) serves mnist
 * to concurrent gRPC and REST clients: first a warm-up, then rounds of a span at rest and a span in which
 * {@link Switcher} promotes, fails a smoke test and withdraws, and rolls back, cycle after cycle. Every request must be answered,
 * with the MNIST signature's shape. {@link SwitchingScenario} runs it at full size for {@code bench/faults.sh};
 * {@code ServingDuringSwitchesTest} runs it small in the build.
 */
public final class ServingDuringSwitches {

    private ServingDuringSwitches() {
    }

    /**
     * How big the scenario is.
     *
     * @param atRest    time with no switch, in all rounds together
     * @param switching time of switches, in all rounds together
     * @param rounds    how many times a span at rest and a span of switches alternate: with several, other work on
     *                  the machine and the JIT compiler's late work weigh on both alike
     * @param pause     how long a version that passed its smoke test serves before the next switch
     * @param minCycles switching cycles (four switches each) done in each round, even when its span is over sooner
     */
    public record Size(int grpcClients, int restClients, Duration warmUp, Duration atRest, Duration switching,
                       int rounds, Duration pause, int minCycles) {

        public Size {
            if (rounds < 1) {
                throw new IllegalArgumentException("a scenario needs at least one round of rest and switches, not "
                        + rounds);
            }
        }
    }

    /**
     * What the clients and the switching saw.
     *
     * @param switched                   how long the switching spans lasted together (a span ends with a cycle)
     * @param switches                   served-version changes: promotions, withdrawals and rollbacks
     * @param failedSmokeTestsRolledBack wrong versions promoted, failed by the smoke test and withdrawn
     * @param problems                   switches that did not go as planned (the wrong version served after one, a
     *                                   smoke test that passed a wrong version); empty when all went as planned
     * @param firstFailures              the first failed requests, each with the client that sent it
     * @param goodVersions               the versions that answer right; any other that answered was a wrong one
     */
    public record Outcome(Size size, Tally grpc, Tally rest, Duration switched, int cycles, int switches,
                          int failedSmokeTestsRolledBack, List<String> problems, List<String> firstFailures,
                          List<Long> goodVersions) {

        public long failedRequests() {
            return grpc.failed() + rest.failed();
        }

        /** gRPC answers given by versions that answer wrong, in the moments before their smoke test failed. */
        public long answersFromWrongVersions() {
            return grpc.answersByVersion().entrySet().stream().filter(e -> !goodVersions.contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue).sum();
        }
    }

    /** Runs the scenario with its files (Caravan's home, the exports) below {@code work}. */
    public static Outcome run(Size size, Path work) throws Exception {
        try (CaravanInstance caravan = CaravanInstance.start(work.resolve("home"), "--logging.threshold.console=WARN")) {
            ModelVersions versions = ModelVersions.create(caravan, work.resolve("exports"), 3);
            Switcher switcher = new Switcher(caravan, versions, size.pause());
            switcher.serveFirst();
            ServingEndpoint endpoint = caravan.bean(ServingBackend.class).endpoint(ModelVersions.MODEL);
            try (PredictLoad load = PredictLoad.start(endpoint, ModelVersions.MODEL, size.grpcClients(),
                    size.restClients())) {
                // The phases are spans of load, not waits for something to happen.
                Thread.sleep(size.warmUp().toMillis());
                Duration switched = Duration.ZERO;
                Switcher.Switches switches = null;
                for (int round = 0; round < size.rounds(); round++) {
                    load.enter(Phase.AT_REST);
                    Thread.sleep(size.atRest().toMillis() / size.rounds());
                    load.enter(Phase.SWITCHING);
                    long start = System.nanoTime();
                    switches = switcher.run(size.switching().dividedBy(size.rounds()), size.minCycles());
                    switched = switched.plusNanos(System.nanoTime() - start);
                }
                List<Tally> tallies = load.stop();
                return new Outcome(size, tallies.get(0), tallies.get(1), switched, switches.cycles(),
                        switches.switches(), switches.failedSmokeTestsRolledBack(), switches.problems(),
                        load.firstFailures(), versions.good());
            }
        }
    }
}
