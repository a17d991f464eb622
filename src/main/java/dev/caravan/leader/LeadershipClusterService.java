package dev.caravan.leader;

import java.util.List;
import java.util.Optional;

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

    LeadershipClusterService(Leadership leadership) {
        super("caravan-leadership");
        this.leadership = leadership;
    }

    @Override
    protected View createView(String namespace) {
        View view = new View(this, namespace);
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
            fireLeadershipChangedEvent(getLeader());
        }
    }
}
