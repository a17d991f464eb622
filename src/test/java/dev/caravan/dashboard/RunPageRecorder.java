package dev.caravan.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a person watching a run page saw, change by change: a MutationObserver in the page records the steps'
 * statuses and the curve's point count each time they change, with the browser's wall clock, so that fast
 * transitions between two WebDriver polls are not missed.
 */
final class RunPageRecorder {

    private static final String INSTALL = """
            const seen = window.__caravanSeen = [];
            const snap = () => {
              const items = [...document.querySelectorAll("ul[data-testid='steps'] li[data-step]")];
              const steps = items.map(li => li.getAttribute('data-step') + '=' + li.getAttribute('data-status')).join(' ');
              const curve = document.querySelector("[data-testid='curve']");
              const points = curve ? curve.getAttribute('data-points') : null;
              const last = seen[seen.length - 1];
              if (!last || last.steps !== steps || last.points !== points) {
                seen.push({steps: steps, points: points, at: Date.now()});
              }
            };
            new MutationObserver(snap).observe(document.documentElement,
                {subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'data-points']});
            snap();
            """;

    /** One observed state: "prepare=COMPLETED train=STARTED ...", the curve's data-points, and when (epoch ms). */
    record Seen(String steps, String points, long at) {

        String status(String step) {
            for (String pair : steps.split(" ")) {
                if (pair.startsWith(step + "=")) {
                    return pair.substring(step.length() + 1);
                }
            }
            return null;
        }

        long pointCount() {
            try {
                return points == null ? -1 : Long.parseLong(points.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private final Browser browser;

    RunPageRecorder(Browser browser) {
        this.browser = browser;
    }

    void install() {
        browser.script(INSTALL);
    }

    List<Seen> seen() {
        Object raw = browser.script("return window.__caravanSeen || [];");
        List<Seen> seen = new ArrayList<>();
        for (Object entry : (List<?>) raw) {
            Map<?, ?> map = (Map<?, ?>) entry;
            Object points = map.get("points");
            seen.add(new Seen(String.valueOf(map.get("steps")), points == null ? null : String.valueOf(points),
                    ((Number) map.get("at")).longValue()));
        }
        return seen;
    }
}
