package dev.ecrpush.images;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A CloudFormation custom resource request, as CloudFormation invokes the function with it: the request type,
 * the presigned URL the answer goes to, the identifiers the answer must echo, and the resource's properties.
 * {@code PhysicalResourceId} is absent from a {@code Create}.
 */
record CustomResourceRequest(String requestType, String responseUrl, String stackId, String requestId,
        String logicalResourceId, String physicalResourceId, JsonNode resourceProperties) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads an event. Only the response URL is required here: without it no answer can be given, with it every
     * other problem (an unknown request type, a missing property) is answered as {@code FAILED}.
     *
     * @throws IllegalArgumentException when the event is not JSON or has no {@code ResponseURL}
     */
    static CustomResourceRequest parse(byte[] event) {
        JsonNode root;
        try {
            root = JSON.readTree(event);
        } catch (IOException e) {
            throw new IllegalArgumentException("the event is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.path("ResponseURL").isTextual()) {
            throw new IllegalArgumentException("the event is no CloudFormation custom resource request: it has no ResponseURL");
        }
        return new CustomResourceRequest(text(root, "RequestType"), text(root, "ResponseURL"), text(root, "StackId"),
                text(root, "RequestId"), text(root, "LogicalResourceId"), text(root, "PhysicalResourceId"),
                root.path("ResourceProperties"));
    }

    /** A resource property as text; null when it is absent or not a string. */
    String property(String name) {
        JsonNode value = resourceProperties.path(name);
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.path(field);
        return value.isTextual() ? value.asText() : null;
    }
}
