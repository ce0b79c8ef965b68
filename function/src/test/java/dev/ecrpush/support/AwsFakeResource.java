package dev.ecrpush.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * An {@link AwsFake} for a {@code @QuarkusTest}: every AWS API the application calls is reached through the SDK's
 * own endpoint setting ({@code aws.endpointUrl}), with the function's own credentials given as the SDK's system
 * properties, and the ECS settings of a stack. The fake is injected into the test's {@link InjectFake} fields.
 */
public class AwsFakeResource implements QuarkusTestResourceLifecycleManager {
    public static final String ECS_EXECUTION_ROLE = "arn:aws:iam::111111111111:role/ecr-build-push-execution";
    public static final String ECS_TASK_ROLE = "arn:aws:iam::111111111111:role/ecr-build-push-task";

    private AwsFake aws;

    @Override
    public Map<String, String> start() {
        aws = new AwsFake();
        FunctionSdkProperties.set(aws.endpoint(), null);
        return Map.of("buildpush.codebuild.region", "us-east-1",
                "buildpush.ecs.region", "us-east-1",
                "buildpush.ecs.cluster", "ci-builds",
                "buildpush.ecs.execution-role-arn", ECS_EXECUTION_ROLE,
                "buildpush.ecs.task-role-arn", ECS_TASK_ROLE);
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(aws, new TestInjector.AnnotatedAndMatchesType(InjectFake.class, AwsFake.class));
    }

    @Override
    public void stop() {
        FunctionSdkProperties.clear();
        if (aws != null) {
            aws.close();
        }
    }
}
