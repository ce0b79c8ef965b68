package dev.ecrpush.edge;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.crac.Core;
import org.crac.Resource;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

/**
 * SnapStart priming of the edge: the built-in {@code mode: plan} payload handed to the deployed handler as Lambda
 * hands it an event, so that what every first invocation goes through before the application's code (the edge's
 * codec, Quarkus' Lambda HTTP handler, the virtual HTTP channel, the REST layer, the internal route) is loaded in the
 * snapshot. {@link dev.ecrpush.flow.SnapStartPriming} primes what lies behind it. A plan makes no AWS call and
 * resolves no credentials; a failure is logged and never blocks the snapshot or the init.
 *
 * <p>Registered by the deployed handler once Quarkus has booted (the application's own start-up is too early to send
 * it a request); with {@code buildpush.priming.at-init} it primes at once, in the init phase.
 */
final class EdgePriming implements Resource {
    static final String PAYLOAD = "/priming/plan-payload.json";
    private static final Logger LOG = Logger.getLogger(EdgePriming.class);
    /** CRaC contexts may hold resources weakly: these are kept for as long as the handler lives. */
    private static final List<EdgePriming> REGISTERED = new CopyOnWriteArrayList<>();

    private final LambdaEdge edge;

    private EdgePriming(LambdaEdge edge) {
        this.edge = edge;
    }

    /** Registers the deployed handler's priming, and primes now when {@code buildpush.priming.at-init} is set. */
    static void register(LambdaEdge edge) {
        EdgePriming priming = new EdgePriming(edge);
        REGISTERED.add(priming);
        Core.getGlobalContext().register(priming);
        if (ConfigProvider.getConfig().getOptionalValue("buildpush.priming.at-init", Boolean.class).orElse(false)) {
            priming.primeLogged("at init");
        }
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        primeLogged("for the snapshot");
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to renew: the plan kept no connection, clock reading or credentials.
    }

    private void primeLogged(String when) {
        long start = System.nanoTime();
        try {
            int answered = prime(edge);
            LOG.infof("primed the edge %s in %d ms (%d bytes answered)", when, (System.nanoTime() - start) / 1_000_000, answered);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("priming the edge %s failed, the first invocation warms it up instead: %s", when, e.toString());
        }
    }

    /** @return the size of the edge's answer */
    static int prime(LambdaEdge edge) throws IOException {
        byte[] payload;
        try (InputStream in = EdgePriming.class.getResourceAsStream(PAYLOAD)) {
            if (in == null) {
                throw new IllegalStateException(PAYLOAD + " is missing from the function");
            }
            payload = in.readAllBytes();
        }
        ByteArrayOutputStream answer = new ByteArrayOutputStream(8192);
        edge.handleRequest(new ByteArrayInputStream(payload), answer, PrimingContext.INSTANCE);
        return answer.size();
    }

    /** The invocation context of priming's event: no request of a caller's, and nowhere to log but the function's log. */
    private static final class PrimingContext implements Context {
        static final PrimingContext INSTANCE = new PrimingContext();

        @Override
        public String getAwsRequestId() {
            return "snapstart-priming";
        }

        @Override
        public String getLogGroupName() {
            return null;
        }

        @Override
        public String getLogStreamName() {
            return null;
        }

        @Override
        public String getFunctionName() {
            return System.getenv("AWS_LAMBDA_FUNCTION_NAME");
        }

        @Override
        public String getFunctionVersion() {
            return System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
        }

        @Override
        public String getInvokedFunctionArn() {
            return null;
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return 60_000;
        }

        @Override
        public int getMemoryLimitInMB() {
            return 0;
        }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                    LOG.info(message);
                }

                @Override
                public void log(byte[] message) {
                    LOG.info(new String(message, java.nio.charset.StandardCharsets.UTF_8));
                }
            };
        }
    }
}
