package dev.ecrpush.support;

import java.net.URI;

/**
 * The SDK's system properties that put the application of a {@code @QuarkusTest} in front of the fakes: every
 * endpoint ({@code aws.endpointUrl}, and DynamoDB's own when given), the function's own keys
 * ({@link AwsFake#FUNCTION_ACCESS_KEY}) and the region.
 */
final class FunctionSdkProperties {
    private static final String[] NAMES = {"aws.endpointUrl", "aws.endpointUrlDynamoDb", "aws.accessKeyId",
            "aws.secretAccessKey", "aws.region"};

    private FunctionSdkProperties() {
    }

    static void set(URI aws, URI dynamoDb) {
        System.setProperty("aws.endpointUrl", aws.toString());
        if (dynamoDb != null) {
            System.setProperty("aws.endpointUrlDynamoDb", dynamoDb.toString());
        }
        System.setProperty("aws.accessKeyId", AwsFake.FUNCTION_ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", "function-role-secret");
        System.setProperty("aws.region", "us-east-1");
    }

    static void clear() {
        for (String name : NAMES) {
            System.clearProperty(name);
        }
    }
}
