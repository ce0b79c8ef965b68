package dev.ecrpush.launch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DescribeParametersResponse;
import software.amazon.awssdk.services.ssm.model.ParameterMetadata;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterStringFilter;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;

/**
 * Deletes the SSM parameters OIDC tokens were stashed in ({@link SecretStash}) once they can no longer be needed,
 * so that they neither pile up towards the account's 10,000 standard parameters nor outlive their builds.
 *
 * <p>When a build's end event comes in and names the stash prefix (CodeBuild's event lists the build's
 * variables, ECS's its overrides), the build is read back, and if it has ended, the parameters under the prefix
 * that it names are deleted: the event only says where to look. Stashes whose build's end is never seen (an
 * event lost, a launch that failed after the token was stored) are swept on such an event too, at most once an
 * hour per function instance and per region: {@code DescribeParameters} under the prefix (names and dates only,
 * never a value), and whatever is older than {@code buildpush.oidc.stash-max-age} is deleted. Nothing here fails
 * the event: a parameter left behind is swept later.
 */
@ApplicationScoped
public class StashCleanup {
    private static final Logger LOG = Logger.getLogger(StashCleanup.class);
    static final Duration SWEEP_INTERVAL = Duration.ofHours(1);
    /** DescribeParameters pages (50 parameters each) one sweep reads at most; the next sweep goes on. */
    static final int SWEEP_PAGES = 10;

    private final AwsClients clients;
    private final String base;
    private final Duration maxAge;
    private final Clock clock;
    private final ConcurrentMap<String, Instant> lastSweep = new ConcurrentHashMap<>();

    @Inject
    public StashCleanup(AwsClients clients, ServiceConfig config) {
        this(clients, config.oidc().parameterPrefix(), config.oidc().stashMaxAge(), Clock.systemUTC());
    }

    public StashCleanup(AwsClients clients, String prefix, Duration maxAge, Clock clock) {
        this.clients = clients;
        this.base = prefix.endsWith("/") ? prefix : prefix + "/";
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Whether a build's state-change event mentions the stash prefix, so that the build is worth reading back. */
    public boolean mayConcern(JsonNode event) {
        return event.toString().contains(base);
    }

    /**
     * Deletes the stashed parameters of a build read back, once it has ended; then sweeps their regions.
     *
     * @param build the build as its executor read it back
     */
    public void buildEnded(BuildStatusResult build) {
        if (!build.status().terminal()) {
            return;
        }
        Set<String> regions = new LinkedHashSet<>();
        build.stashedParameters().stream().filter(p -> p.name().startsWith(base)).forEach(parameter -> {
            regions.add(parameter.region());
            delete(ssm(parameter.region()), parameter.name(), "build " + build.buildId() + " has ended");
        });
        regions.forEach(this::sweep);
    }

    /** Deletes the stashes under the prefix older than the maximum age, unless this region was swept lately. */
    void sweep(String region) {
        Instant now = clock.instant();
        Instant last = lastSweep.get(region);
        if (last != null && now.isBefore(last.plus(SWEEP_INTERVAL))) {
            return;
        }
        boolean mine = last == null ? lastSweep.putIfAbsent(region, now) == null : lastSweep.replace(region, last, now);
        if (!mine) {
            // another invocation of this instance is sweeping the region right now
            return;
        }
        SsmClient ssm = ssm(region);
        Instant oldest = now.minus(maxAge);
        String token = null;
        try {
            for (int page = 0; page < SWEEP_PAGES; page++) {
                String next = token;
                DescribeParametersResponse response = ssm.describeParameters(r -> r.maxResults(50).nextToken(next)
                        .parameterFilters(ParameterStringFilter.builder().key("Path").option("OneLevel")
                                .values(base.substring(0, base.length() - 1)).build()));
                for (ParameterMetadata parameter : response.parameters()) {
                    if (parameter.name().startsWith(base) && parameter.lastModifiedDate() != null
                            && parameter.lastModifiedDate().isBefore(oldest)) {
                        delete(ssm, parameter.name(), "it is older than " + maxAge);
                    }
                }
                token = response.nextToken();
                if (token == null || token.isEmpty()) {
                    break;
                }
            }
        } catch (SdkException e) {
            LOG.warnf("the OIDC token stashes under %s in %s could not be listed (%s); the next sweep tries again", base, region,
                    e.getMessage());
        }
    }

    private static void delete(SsmClient ssm, String name, String why) {
        try {
            ssm.deleteParameter(r -> r.name(name));
            LOG.infof("deleted the OIDC token stash %s: %s", name, why);
        } catch (ParameterNotFoundException gone) {
            // deleted already (an event delivered twice, or a sweep)
        } catch (SdkException e) {
            LOG.warnf("the OIDC token stash %s could not be deleted (%s); a later sweep deletes it", name, e.getMessage());
        }
    }

    private SsmClient ssm(String region) {
        return clients.ssm(Region.of(region), clients.functionCredentials());
    }
}
