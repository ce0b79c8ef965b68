package dev.ecrpush.executor.codebuild;

import dev.ecrpush.launch.ExecutorCheck;

/**
 * What a preflight found for the CodeBuild project. The service role is the principal a build pushes as when
 * the connector inherits the build's credentials, so it is what a cross-account repository policy should name.
 */
public record ProjectCheck(String name, String arn, String serviceRole) implements ExecutorCheck {
    @Override
    public String field() {
        return "project";
    }
}
