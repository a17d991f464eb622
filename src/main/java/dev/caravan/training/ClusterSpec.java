package dev.caravan.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.caravan.definition.ClusterShape;

/**
 * The shape of a run's local training from its parameters {@code workers} and {@code ps} ({@link ClusterShape}): no
 * workers and no parameter servers is one trainer process without {@code TF_CONFIG}; anything else is a chief, the
 * workers and the parameter servers, each given the {@code TF_CONFIG} training-operator v1 injects into a TFJob's pods
 * (kubeflow/training-operator's {@code genTFConfigJSONStr}), on {@code 127.0.0.1}:
 * <pre>{"cluster":{"chief":["127.0.0.1:40001"],"worker":["127.0.0.1:40002"],"ps":["127.0.0.1:40003"]},
 *  "task":{"type":"worker","index":0},"environment":"cloud"}</pre>
 */
record ClusterSpec(int workers, int ps) {


    private static final String HOST = "127.0.0.1";

    /** @throws TrainingException when {@code workers} or {@code ps} is not a whole number in its range */
    static ClusterSpec of(TrainingRequest request) {
        try {
            return ClusterShape.of(request.parameters()).map(shape -> new ClusterSpec(shape.workers(), shape.ps()))
                    .orElse(new ClusterSpec(0, 0));
        } catch (IllegalArgumentException e) {
            throw new TrainingException("run " + request.runName() + ": " + e.getMessage(), e);
        }
    }

    /** One process, no {@code TF_CONFIG}: the trainer as it runs without a cluster. */
    boolean isSingleProcess() {
        return workers == 0 && ps == 0;
    }

    /** Every replica, in {@link Replica#ORDER}: the chief, {@code worker-0} ..., {@code ps-0} .... */
    List<Replica> replicas() {
        List<Replica> replicas = new ArrayList<>();
        replicas.add(Replica.CHIEF);
        for (int i = 0; i < workers; i++) {
            replicas.add(new Replica("worker", i));
        }
        for (int i = 0; i < ps; i++) {
            replicas.add(new Replica("ps", i));
        }
        return replicas;
    }

    /**
     * Each replica's {@code TF_CONFIG}, on loopback ports free now. The ports are held together until all are picked,
     * so they differ; a process of another program could still take one before its replica listens on it, which fails
     * that replica with the address in use, and the run with it.
     */
    Map<Replica, String> tfConfigs() {
        List<Replica> replicas = replicas();
        Map<String, List<String>> cluster = new LinkedHashMap<>();
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (Replica replica : replicas) {
                ServerSocket socket = new ServerSocket();
                held.add(socket);
                socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
                cluster.computeIfAbsent(replica.type(), type -> new ArrayList<>()).add(HOST + ":" + socket.getLocalPort());
            }
        } catch (IOException e) {
            throw new TrainingException("cannot find " + replicas.size() + " free ports on " + HOST + " for the cluster "
                    + replicas + ": " + e.getMessage() + "; check that the loopback interface is up", e);
        } finally {
            held.forEach(ClusterSpec::close);
        }
        Map<Replica, String> configs = new LinkedHashMap<>();
        replicas.forEach(replica -> configs.put(replica, new TfConfig(cluster, replica.type(), replica.index()).toJson()));
        return configs;
    }

    private static void close(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot free port " + socket.getLocalPort() + ": " + e.getMessage(), e);
        }
    }
}
