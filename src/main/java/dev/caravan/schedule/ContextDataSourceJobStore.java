package dev.caravan.schedule;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

import javax.sql.DataSource;

import org.quartz.SchedulerConfigException;
import org.quartz.spi.ClassLoadHelper;
import org.quartz.spi.SchedulerSignaler;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.scheduling.quartz.LocalDataSourceJobStore;
import org.springframework.scheduling.quartz.SchedulerFactoryBean;

/**
 * Spring's Quartz job store, bound to its own Spring context's data source for good. Spring registers that data
 * source in Quartz's JVM-wide {@link DBConnectionManager} under the scheduler's name, which every Caravan shares
 * (Quartz tables key their rows by it, so clustered Caravans must). A second Caravan in the same JVM would replace
 * the first one's entry, and the first scheduler would then fire the second's triggers in its own context. This store
 * moves its connections to names of its own once Spring's set-up is done.
 */
public class ContextDataSourceJobStore extends LocalDataSourceJobStore {

    @Override
    public void initialize(ClassLoadHelper loadHelper, SchedulerSignaler signaler) throws SchedulerConfigException {
        DataSource transactional = SchedulerFactoryBean.getConfigTimeDataSource();
        DataSource nonTransactional = SchedulerFactoryBean.getConfigTimeNonTransactionalDataSource();
        super.initialize(loadHelper, signaler);
        String own = getInstanceName() + "." + UUID.randomUUID();
        DBConnectionManager.getInstance().addConnectionProvider(TX_DATA_SOURCE_PREFIX + own,
                new Provider(transactional, true));
        DBConnectionManager.getInstance().addConnectionProvider(NON_TX_DATA_SOURCE_PREFIX + own,
                new Provider(nonTransactional == null ? transactional : nonTransactional, false));
        setDataSource(TX_DATA_SOURCE_PREFIX + own);
        setNonManagedTXDataSource(NON_TX_DATA_SOURCE_PREFIX + own);
    }

    /** Connections as Spring's own providers give them: the transactional one joins a Spring transaction. */
    private record Provider(DataSource dataSource, boolean joinsTransactions) implements ConnectionProvider {

        @Override
        public Connection getConnection() throws SQLException {
            return joinsTransactions ? DataSourceUtils.doGetConnection(dataSource) : dataSource.getConnection();
        }

        @Override
        public void shutdown() {
            // the data source belongs to the Spring context, which closes it
        }

        @Override
        public void initialize() {
        }
    }
}
