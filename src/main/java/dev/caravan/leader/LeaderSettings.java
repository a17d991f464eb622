package dev.caravan.leader;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How Caravan replicas sharing one database elect their leader, bound from {@code caravan.leader.*}.
 *
 * @param id               this replica's name in the lock table and in Quartz's cluster (at most 36 characters); empty: one derived from the
 *                         host name and {@code caravan.home}, the same across restarts, so a Caravan that restarts
 *                         leads again at once instead of waiting for its old lock to expire
 * @param timeToLive       how long a lock row holds without renewal: a leader that dies is replaced after this
 * @param heartbeat        how often the leader renews its lock; well below {@code timeToLive}
 * @param retryPeriod      how often a replica that does not lead tries to take the lock
 * @param queuePoll        how often the leader looks for runs that other replicas recorded as QUEUED
 * @param handOverTimeout  how long a replica that stops leading waits for its runs to let go before the next
 *                         leader may take them
 * @param routes           the Camel routes that run on the leader only; a route made from a template named here
 *                         for one pipeline ({@code <template>-<pipeline>}) too
 */
@Validated
@ConfigurationProperties("caravan.leader")
public record LeaderSettings(@Size(max = 36) String id, @NotNull Duration timeToLive, @NotNull Duration heartbeat,
                             @NotNull Duration retryPeriod, @NotNull Duration queuePoll,
                             @NotNull Duration handOverTimeout, @NotNull List<@NotBlank String> routes) {

    public LeaderSettings {
        routes = routes == null ? null : List.copyOf(routes);
    }

    /** A leader renews its lock several times within its time to live, so one slow renewal does not lose it. */
    @AssertTrue(message = "must satisfy time-to-live > 2 x heartbeat, with heartbeat, retry-period and queue-poll above zero")
    public boolean isTimingConsistent() {
        return timeToLive == null || heartbeat == null || retryPeriod == null || queuePoll == null
                || (positive(heartbeat) && positive(retryPeriod) && positive(queuePoll)
                && timeToLive.compareTo(heartbeat.multipliedBy(2)) > 0);
    }

    private static boolean positive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    /** The configured id, or one that names this host and home: unique among replicas, stable across restarts. */
    public String replicaId(Path home) {
        if (id != null && !id.isBlank()) {
            return id;
        }
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        String place = host + ":" + home.toAbsolutePath().normalize();
        return UUID.nameUUIDFromBytes(place.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
