package dev.caravan.testutil;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;

import dev.caravan.pipeline.RunEvent;

/** Every {@link RunEvent} a Caravan publishes, from any thread, for tests to wait on. */
public class RecordedRunEvents implements ApplicationListener<ApplicationEvent> {

    private final List<RunEvent> events = new CopyOnWriteArrayList<>();
    private volatile Consumer<RunEvent> reaction = event -> { };

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof PayloadApplicationEvent<?> payload && payload.getPayload() instanceof RunEvent run) {
            events.add(run);
            reaction.accept(run);
        }
    }

    /**
     * Calls {@code action} with each event as it is published, on the publishing thread, before the publisher goes
     * on: a test can change the world at the very start of a step. Replaces the previous action.
     */
    public void react(Consumer<RunEvent> action) {
        reaction = action;
    }

    public <T extends RunEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
