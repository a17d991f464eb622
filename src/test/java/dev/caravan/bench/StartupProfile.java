package dev.caravan.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.metrics.StartupStep;

import dev.caravan.CaravanApplication;

/**
 * Where {@code caravan server}'s start-up goes: starts Caravan in this JVM with Spring's buffering start-up recorder
 * and prints the JVM's share, Spring Boot's phases and the beans that took longest to create (their own time, without
 * the beans they waited for). Arguments are the server's ({@code --caravan.home=...}, ports). Prints; asserts nothing.
 */
public final class StartupProfile {

    private static final int TOP_BEANS = 25;

    private StartupProfile() {
    }

    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long mainEntered = System.currentTimeMillis();
        BufferingApplicationStartup recorder = new BufferingApplicationStartup(20_000);
        SpringApplication application = new SpringApplication(CaravanApplication.class);
        application.setAdditionalProfiles("local");
        application.setApplicationStartup(recorder);
        try (ConfigurableApplicationContext context = application.run(args)) {
            long ready = System.currentTimeMillis();
            report(recorder.getBufferedTimeline(), jvmStart, mainEntered, ready);
        }
    }

    private static void report(StartupTimeline timeline, long jvmStart, long mainEntered, long ready) {
        out("JVM start to main()                 %6d ms", mainEntered - jvmStart);
        out("main() to context ready (runners done) %6d ms", ready - mainEntered);
        Map<Long, Duration> childTime = new HashMap<>();
        for (StartupTimeline.TimelineEvent event : timeline.getEvents()) {
            Long parent = event.getStartupStep().getParentId();
            if (parent != null) {
                childTime.merge(parent, event.getDuration(), Duration::plus);
            }
        }
        List<StartupTimeline.TimelineEvent> beans = new ArrayList<>();
        for (StartupTimeline.TimelineEvent event : timeline.getEvents()) {
            String name = event.getStartupStep().getName();
            if (name.startsWith("spring.boot.application") || name.equals("spring.context.refresh")
                    || name.startsWith("spring.context.beans.post-process") || name.equals("spring.boot.webserver.create")) {
                out("  %-60s %6d ms  (from %6d ms after JVM start)", name, event.getDuration().toMillis(),
                        Duration.between(Instant.ofEpochMilli(jvmStart), event.getStartTime()).toMillis());
            }
            if (name.equals("spring.beans.instantiate")) {
                beans.add(event);
            }
        }
        beans.sort((a, b) -> Long.compare(self(b, childTime), self(a, childTime)));
        out("Beans by their own instantiation time (without the beans they waited for):");
        beans.stream().limit(TOP_BEANS).forEach(event -> out("  %-70s %6d ms  (total %6d ms, at %6d ms)",
                tag(event.getStartupStep(), "beanName"), self(event, childTime), event.getDuration().toMillis(),
                Duration.between(Instant.ofEpochMilli(jvmStart), event.getStartTime()).toMillis()));
    }

    private static long self(StartupTimeline.TimelineEvent event, Map<Long, Duration> childTime) {
        return event.getDuration().minus(childTime.getOrDefault(event.getStartupStep().getId(), Duration.ZERO)).toMillis();
    }

    private static String tag(StartupStep step, String key) {
        for (StartupStep.Tag tag : step.getTags()) {
            if (tag.getKey().equals(key)) {
                return tag.getValue();
            }
        }
        return step.getName();
    }

    private static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
