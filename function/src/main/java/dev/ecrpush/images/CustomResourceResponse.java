package dev.ecrpush.images;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The answer to a custom resource request, in the format CloudFormation reads from the response URL: {@code Status}
 * ({@code SUCCESS} or {@code FAILED}), {@code Reason}, {@code PhysicalResourceId}, the request's {@code StackId},
 * {@code RequestId} and {@code LogicalResourceId}, and on success the {@code Data} that {@code !GetAtt} reads.
 */
record CustomResourceResponse(String status, String reason, String physicalResourceId, String stackId, String requestId,
        String logicalResourceId, Map<String, String> data) {
    static final String SUCCESS = "SUCCESS";
    static final String FAILED = "FAILED";
    /** CloudFormation takes at most 4096 bytes of response; a long build error must not push the answer over it. */
    static final int MAX_REASON_CHARS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    static CustomResourceResponse success(CustomResourceRequest request, String physicalResourceId, String reason,
            Map<String, String> data) {
        return new CustomResourceResponse(SUCCESS, reason, physicalResourceId, request.stackId(), request.requestId(),
                request.logicalResourceId(), data);
    }

    static CustomResourceResponse failed(CustomResourceRequest request, String physicalResourceId, String reason) {
        String shortened = reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS - 3) + "...";
        return new CustomResourceResponse(FAILED, shortened, physicalResourceId, request.stackId(), request.requestId(),
                request.logicalResourceId(), Map.of());
    }

    /** The body PUT to the response URL; {@code Data} only on success. */
    byte[] toJson() {
        ObjectNode body = JSON.createObjectNode()
                .put("Status", status)
                .put("Reason", reason)
                .put("PhysicalResourceId", physicalResourceId)
                .put("StackId", stackId)
                .put("RequestId", requestId)
                .put("LogicalResourceId", logicalResourceId);
        if (!data.isEmpty()) {
            ObjectNode values = body.putObject("Data");
            data.forEach(values::put);
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings did not serialise", e);
        }
    }
}
