package dev.caravan.leader;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;

/**
 * {@link Leadership} as a Camel cluster service, so that Camel's own {@code ClusteredRoutePolicy} starts the
 * leader-only routes when this replica becomes leader and stops them when it stops being it, whichever election
 * decides. Its views know only the local member: the leader, or no one.
 */
final class LeadershipClusterService extends AbstractCamelClusterService<LeadershipClusterService.View> {

    private final Leadership leadership;
    private final List<View> views = new CopyOnWriteArrayList<>();
    private volatile boolean announcing;

    LeadershipClusterService(Leadership leadership) {
        super("caravan-leadership");
        this.leadership = leadership;
    }

    @Override
    protected View createView(String namespace) {
        View view = new View(this, namespace);
        views.add(view);
        leadership.addListener(new Leadership.Listener() {
            @Override
            public void granted() {
                view.changed();
            }

            @Override
            public void revoked() {
                view.changed();
            }
        });
        return view;
    }

    /**
     * From now on tells the views' listeners of each change, beginning with the leadership as it is. Called once
     * Camel has started: Camel's route policy ignores a change it hears of before it has started itself.
     */
    void announce() {
        announcing = true;
        views.forEach(View::changed);
    }

    /** One namespace's view: this replica, which leads when {@link Leadership} says so. */
    final class View extends AbstractCamelClusterView {

        private final CamelClusterMember local = new CamelClusterMember() {
            @Override
            public boolean isLeader() {
                return leadership.isLeader();
            }

            @Override
            public boolean isLocal() {
                return true;
            }

            @Override
            public String getId() {
                return getClusterService().getId();
            }
        };

        private View(LeadershipClusterService service, String namespace) {
            super(service, namespace);
        }

        @Override
        public Optional<CamelClusterMember> getLeader() {
            return leadership.isLeader() ? Optional.of(local) : Optional.empty();
        }

        @Override
        public CamelClusterMember getLocalMember() {
            return local;
        }

        @Override
        public List<CamelClusterMember> getMembers() {
            return List.of(local);
        }

        private void changed() {
            if (announcing) {
                fireLeadershipChangedEvent(getLeader());
            }
        }
    }
}
