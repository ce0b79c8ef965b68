package dev.ecrpush.flow;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * One WireMock server standing in for every AWS API, reached through the SDK's own endpoint setting
 * ({@code aws.endpointUrl}), with the function's own credentials given as the SDK's system properties.
 */
public class FakeAwsEndpoint implements QuarkusTestResourceLifecycleManager {
    static final String FUNCTION_ACCESS_KEY = "AKIAFUNCTIONROLE0001";
    static final String ECS_EXECUTION_ROLE = "arn:aws:iam::111111111111:role/ecr-build-push-execution";
    static final String ECS_TASK_ROLE = "arn:aws:iam::111111111111:role/ecr-build-push-task";
    static WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        server.start();
        System.setProperty("aws.endpointUrl", server.baseUrl());
        System.setProperty("aws.accessKeyId", FUNCTION_ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", "function-role-secret");
        System.setProperty("aws.region", "us-east-1");
        return Map.of("buildpush.codebuild.region", "us-east-1",
                "buildpush.ecs.region", "us-east-1",
                "buildpush.ecs.execution-role-arn", ECS_EXECUTION_ROLE,
                "buildpush.ecs.task-role-arn", ECS_TASK_ROLE);
    }

    @Override
    public void stop() {
        for (String property : new String[] {"aws.endpointUrl", "aws.accessKeyId", "aws.secretAccessKey", "aws.region"}) {
            System.clearProperty(property);
        }
        server.stop();
    }
}
