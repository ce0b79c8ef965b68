package dev.ecrpush.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A {@link TriggerWorld} for a {@code @QuarkusTest}: the application reaches DynamoDB Local through the SDK's
 * {@code aws.endpointUrlDynamoDb} and the AWS fake through {@code aws.endpointUrl}, with the function's own
 * credentials as the SDK's system properties, and is configured with the world's table, secret and trigger set.
 * The world, its {@link AwsFake} and its {@link DynamoDbLocal} are injected into the test's {@link InjectFake} fields.
 */
public class TriggerWorldResource implements QuarkusTestResourceLifecycleManager {
    private TriggerWorld world;

    @Override
    public Map<String, String> start() {
        world = TriggerWorld.start();
        FunctionSdkProperties.set(world.aws().endpoint(), world.dynamoDbEndpoint());
        return world.config();
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(world, new TestInjector.AnnotatedAndMatchesType(InjectFake.class, TriggerWorld.class));
        testInjector.injectIntoFields(world.aws(), new TestInjector.AnnotatedAndMatchesType(InjectFake.class, AwsFake.class));
        testInjector.injectIntoFields(world.dynamoDb(), new TestInjector.AnnotatedAndMatchesType(InjectFake.class, DynamoDbLocal.class));
    }

    @Override
    public void stop() {
        FunctionSdkProperties.clear();
        if (world != null) {
            world.close();
        }
    }
}
