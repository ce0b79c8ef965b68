package dev.ecrpush.executor.codebuild;

import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;

import dev.ecrpush.plan.LaunchRequest;
import dev.ecrpush.result.SdkJson;

/** A CodeBuild build: one {@code StartBuild} request, sent as planned. */
public record CodeBuildLaunch(StartBuildRequest request) implements LaunchRequest {
    @Override
    public void describe(ObjectNode plan) {
        plan.set("startBuild", SdkJson.toJson(request));
    }
}
