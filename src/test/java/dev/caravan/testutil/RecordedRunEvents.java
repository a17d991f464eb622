package dev.caravan.testutil;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;

import dev.caravan.pipeline.RunEvent;

/** Every {@link RunEvent} a Caravan publishes, from any thread, for tests to wait on. */
public class RecordedRunEvents implements ApplicationListener<ApplicationEvent> {

    private final List<RunEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof PayloadApplicationEvent<?> payload && payload.getPayload() instanceof RunEvent run) {
            events.add(run);
        }
    }

    public <T extends RunEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
