package dev.ecrpush.images;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

/**
 * A Lambda context whose remaining time runs down only when the handler sleeps through {@link #sleeper()}: a wait
 * of minutes takes no time, and what the handler logs is kept.
 */
final class TestContext implements Context {
    private final long budgetMillis;
    private long sleptMillis;
    private final StringBuilder log = new StringBuilder();

    TestContext(Duration budget) {
        this.budgetMillis = budget.toMillis();
    }

    /** Advances this context's clock instead of waiting. */
    Sleeper sleeper() {
        return duration -> {
            synchronized (this) {
                sleptMillis += duration.toMillis();
            }
        };
    }

    synchronized Duration slept() {
        return Duration.ofMillis(sleptMillis);
    }

    synchronized String log() {
        return log.toString();
    }

    @Override
    public synchronized int getRemainingTimeInMillis() {
        return (int) (budgetMillis - sleptMillis);
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                synchronized (TestContext.this) {
                    log.append(message);
                }
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }

    @Override
    public String getAwsRequestId() {
        return "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/ecr-build-push-image-bootstrap";
    }

    @Override
    public String getLogStreamName() {
        return "2025/06/01/[$LATEST]0123456789abcdef0123456789abcdef";
    }

    @Override
    public String getFunctionName() {
        return "ecr-build-push-ImageBootstrapFunction-AbCdEfGh1234";
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:111111111111:function:" + getFunctionName();
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
    public int getMemoryLimitInMB() {
        return 512;
    }
}
