package dev.ecrpush.idempotency;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;

/**
 * The configured idempotency table, if any. Its client is made on first use, never during init (SnapStart); the
 * client factory keeps and closes it.
 */
@ApplicationScoped
public class IdempotencyTables {
    private final AwsClients clients;
    private final ServiceConfig.Idempotency config;
    private volatile IdempotencyTable table;

    @Inject
    public IdempotencyTables(AwsClients clients, ServiceConfig config) {
        this(clients, config.idempotency());
    }

    /** The table of {@code config}, with {@code clients}: SnapStart priming's own, over its canned answers. */
    public IdempotencyTables(AwsClients clients, ServiceConfig.Idempotency config) {
        this.clients = clients;
        this.config = config;
    }

    /** Whether {@code buildpush.idempotency.table} is set. */
    public boolean configured() {
        return config.table().isPresent();
    }

    /** The table; only when {@link #configured()}. */
    public IdempotencyTable table() {
        IdempotencyTable current = table;
        if (current == null) {
            synchronized (this) {
                if (table == null) {
                    String name = config.table().orElseThrow(() -> new IllegalStateException("no idempotency table is configured"));
                    DynamoDbClient client = clients.dynamoDb(clients.functionRegion(), clients.functionCredentials());
                    table = new IdempotencyTable(client, name, config.ttl(), config.inProgressExpiry(), Clock.systemUTC());
                }
                current = table;
            }
        }
        return current;
    }

    public RunStore runs() {
        return new RunStore(table());
    }

    /** The order of monotonic triggers' pushes and their builds' pending tag moves. */
    public TagMoveStore tagMoves() {
        return new TagMoveStore(table());
    }

    /** The running builds of {@code cancelSuperseded} triggers, per ref, in the order their deliveries arrived. */
    public SupersededStore superseded() {
        return new SupersededStore(table());
    }

    /** The builds of multi-platform steps, each naming its group and the index to write. */
    public PlatformBuildStore platformBuilds() {
        return new PlatformBuildStore(table());
    }

    /** The scan gates of builds, by build and by the image they judge. */
    public ScanGateStore scanGates() {
        return new ScanGateStore(table());
    }

    /** Pull requests from forks held until an approval. */
    public ForkHoldStore forkHolds() {
        return new ForkHoldStore(table());
    }

    /** The tags pull requests' builds pushed, deleted when the request is closed. */
    public PullRequestImageStore pullRequestImages() {
        return new PullRequestImageStore(table());
    }

    /** Where builds of one platform pushed, for their signing status. */
    public SigningTargetStore signingTargets() {
        return new SigningTargetStore(table());
    }

    /** Where builds' commit statuses go. */
    public CommitStatusStore commitStatuses() {
        return new CommitStatusStore(table());
    }

}
