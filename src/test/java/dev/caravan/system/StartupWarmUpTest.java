package dev.caravan.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.apache.camel.CamelContext;
import org.apache.camel.component.seda.SedaEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.caravan.serving.ServingBackend;
import dev.caravan.serving.ServingEndpoint;
import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;

/** What the first run after a start would otherwise wait for is done while Caravan starts (bench/pipeline.sh). */
class StartupWarmUpTest {

    private static CaravanInstance caravan;

    @BeforeAll
    static void start() {
        caravan = CaravanInstance.start(CaravanTestProperties.newHome());
    }

    @AfterAll
    static void stop() {
        if (caravan != null) {
            caravan.close();
        }
    }

    @Test
    void theSmokeTestsGrpcEndpointIsMadeAtStart() {
        // given
        ServingEndpoint server = caravan.bean(ServingBackend.class).endpoint("mnist");
        String uri = "grpc://" + server.host() + ":" + server.grpcPort() + "/";
        CamelContext camel = caravan.bean(CamelContext.class);

        // then: the warm-up called the model server through the smoke test's route, which keeps its producer
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(camel.getEndpoints())
                .anySatisfy(endpoint -> assertThat(endpoint.getEndpointUri()).startsWith(uri)));
    }

    @Test
    void theEmbeddedServersNotificationsWaitAtMostATenthOfASecondForCamelToBeUp() {
        // A SEDA consumer started while Camel starts sleeps pollTimeout at a time until Camel is up: with the default
        // second, a marker stored right after the start waited for the next poll instead.
        SedaEndpoint endpoint = (SedaEndpoint) caravan.bean(CamelContext.class)
                .getRoute("retrain-on-embedded-s3-events").getEndpoint();

        assertThat(endpoint.getPollTimeout()).isLessThanOrEqualTo(100);
    }
}
