package dev.caravan.tensorboard;

import java.nio.file.Path;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import dev.caravan.storage.S3Properties;

/** The {@code local} runtime's TensorBoard: the command that reads a run's event files where the trainer wrote them. */
@Configuration(proxyBeanMethods = false)
@Profile("!kubernetes")
class LocalTensorBoardConfiguration {

    @Bean
    TensorBoardBackend tensorBoardBackend(S3Properties s3, @Value("${caravan.home}") Path home) {
        return new LocalTensorBoard(s3.useEmbedded() ? home.resolve("s3") : null);
    }
}
