package dev.ecrpush.flow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.StartupEvent;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.config.Settings;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.priming.RunPathPriming;
import dev.ecrpush.result.ResultJson;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.Mode;
import dev.ecrpush.step.TriggerType;

/**
 * SnapStart priming: before Lambda takes the snapshot of the booted function, one built-in {@code mode: plan}
 * payload goes through parsing, validation, planning and JSON serialisation, so that the classes, lambdas and
 * Jackson serialisers of that path are loaded and initialised in the snapshot instead of on the first restore; then
 * the run and event paths go through {@link RunPathPriming}, on canned answers. With {@code buildpush.priming.at-init}
 * the run path is primed in the init phase as well, and the plan is left to the edge's priming, which plans the same
 * payload through the HTTP layer.
 *
 * <p>A plan makes no AWS call and resolves no credentials, so the snapshot holds none: credentials resolved
 * before a snapshot would be shared by every restored instance and could expire inside it. A priming failure
 * is logged and never blocks the snapshot; the first real invocation just pays for the warm-up.
 *
 * <p>Quarkus boots during Lambda's init phase ({@code quarkus.snapstart.full-warmup}, on by default with the
 * Lambda extensions), which is when this bean registers with the CRaC global context.
 */
@ApplicationScoped
public class SnapStartPriming implements Resource {
    /** The built-in payload: manual keys, cross-account access, a base image connector and a cache, on VM. */
    static final String PAYLOAD = "/priming/plan-payload.json";

    private static final Logger LOG = Logger.getLogger(SnapStartPriming.class);

    private final StepService steps;
    private final ObjectMapper json;
    private final boolean atInit;
    private final RunPathPriming runPath;

    @Inject
    public SnapStartPriming(StepService steps, ObjectMapper json, ServiceConfig config, Settings settings, GitHostRegistry hosts) {
        this(steps, json, config, new RunPathPriming(config, hosts, settings.planConfig(), json));
    }

    /** @param runPath the run and event paths' priming, over canned answers */
    SnapStartPriming(StepService steps, ObjectMapper json, ServiceConfig config, RunPathPriming runPath) {
        this.steps = steps;
        this.json = json;
        this.atInit = config.priming().atInit();
        this.runPath = runPath;
    }

    void register(@Observes StartupEvent startup) {
        // CRaC contexts may hold resources weakly: the container keeps this application-scoped bean alive.
        Core.getGlobalContext().register(this);
        if (atInit) {
            // buildpush.priming.at-init: the same warm-up in the init phase, where no snapshot will take it (the
            // benchmark under the runtime interface client; a function without SnapStart).
            // The edge primes the plan path too, through the HTTP layer (EdgePriming): at init, where its cost
            // counts, it is not planned twice.
            primeLogged("at init", false);
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        primeLogged("for the snapshot", true);
    }

    /**
     * Primes the plan path before a snapshot, then the run and event paths (at init, what pays for itself there:
     * {@link RunPathPriming#primeAtInit()}); a failure is logged and never thrown, so that it never blocks the snapshot or
     * the init (the first invocation then warms up what priming did not).
     */
    private void primeLogged(String when, boolean snapshot) {
        long start = System.nanoTime();
        if (snapshot) {
            try {
                StepResult result = prime();
                LOG.infof("primed %s in %d ms: %s plan of %s", when, (System.nanoTime() - start) / 1_000_000, result.status(),
                        result.repository());
            } catch (RuntimeException e) {
                LOG.warnf("priming %s failed, the first invocation warms up instead: %s", when, e.toString());
            }
            start = System.nanoTime();
        }
        try {
            RunPathPriming.Outcome outcome = snapshot ? runPath.prime() : runPath.primeAtInit();
            LOG.infof("primed the run path %s in %d ms (%s): builds %s; %d operations answered locally, %s called directly", when,
                    (System.nanoTime() - start) / 1_000_000, outcome.millis(), outcome.buildIds(), outcome.operations().size(),
                    outcome.calledDirectly());
        } catch (RuntimeException e) {
            LOG.warnf("priming the run path %s failed, the first run warms up instead: %s", when, e.toString());
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to renew: priming kept no connection, clock reading or credentials.
    }

    /**
     * Plans the built-in payload and serialises the result, as an invocation would.
     *
     * @return the planned result (status {@code PLANNED})
     * @throws IllegalStateException when the built-in payload is not a {@code mode: plan} payload
     */
    StepResult prime() {
        JsonNode payload = payload();
        if (!Mode.PLAN.wire().equals(payload.path("mode").asText())) {
            throw new IllegalStateException(PAYLOAD + " must be a mode plan payload: priming may make no AWS call");
        }
        // A plan payload is answered at once, with the plan itself.
        StepResult result = (StepResult) steps.handle(payload, TriggerType.MANUAL);
        try {
            json.writeValueAsBytes(ResultJson.tree(result, json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    private JsonNode payload() {
        try (InputStream in = SnapStartPriming.class.getResourceAsStream(PAYLOAD)) {
            if (in == null) {
                throw new IllegalStateException(PAYLOAD + " is missing from the function");
            }
            return json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
