package dev.caravan.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.caravan.registry.ModelVersion.State;
import dev.caravan.storage.S3Location;
import dev.caravan.testutil.TestDatabases;

class ModelRegistryTest {

    private ModelRegistry registry;

    @BeforeEach
    void createSchema() {
        DriverManagerDataSource dataSource = new DriverManagerDataSource(
                "jdbc:h2:mem:registry-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
        TestDatabases.migrated(dataSource);
        registry = new ModelRegistry(new JdbcTemplate(dataSource));
    }

    @Test
    void numbersVersionsPerModelAndKeepsARunsVersionWhenItAsksAgain() {
        ModelVersion first = reserve("mnist", "mnist-aaaaaaaaaa");
        ModelVersion second = reserve("mnist", "mnist-bbbbbbbbbb");
        ModelVersion again = reserve("mnist", "mnist-aaaaaaaaaa");
        ModelVersion other = reserve("fashion", "fashion-cccccccccc");

        assertThat(first.version()).isEqualTo(1);
        assertThat(second.version()).isEqualTo(2);
        assertThat(again.version()).isEqualTo(1);
        assertThat(other.version()).isEqualTo(1);
        assertThat(second.export().uri()).isEqualTo("s3://tfmnist/models/mnist/2/");
        assertThat(second.state()).isEqualTo(State.CANDIDATE);
    }

    @Test
    void promotionRetiresThePreviousVersionAndRollbackRestoresIt() {
        reserve("mnist", "mnist-aaaaaaaaaa");
        reserve("mnist", "mnist-bbbbbbbbbb");
        registry.recordAccuracy("mnist", 1, 0.98);
        registry.promote("mnist", 1, "promoted by run mnist-aaaaaaaaaa");

        registry.promote("mnist", 2, "promoted by run mnist-bbbbbbbbbb");
        assertThat(registry.find("mnist", 1).orElseThrow().state()).isEqualTo(State.RETIRED);
        assertThat(registry.serving("mnist").orElseThrow().version()).isEqualTo(2);

        registry.rollBack("mnist", 2, 1L, "smoke test failed");
        assertThat(registry.serving("mnist").orElseThrow().version()).isEqualTo(1);
        assertThat(registry.serving("mnist").orElseThrow().accuracy()).isEqualTo(0.98);
        ModelVersion rejected = registry.find("mnist", 2).orElseThrow();
        assertThat(rejected.state()).isEqualTo(State.REJECTED);
        assertThat(rejected.reason()).isEqualTo("smoke test failed");
    }

    private ModelVersion reserve(String model, String run) {
        S3Location base = S3Location.parse("s3://tfmnist/models/" + model + "/");
        return registry.reserve(model, run, "snapshot", 0, v -> base.resolve(v + "/"));
    }
}
