package dev.ecrpush.executor.ecs;

import java.util.function.Function;

import dev.ecrpush.step.AwsConnector;
import dev.ecrpush.step.AwsCredential;
import dev.ecrpush.step.DockerConnector;
import dev.ecrpush.step.Problems;
import dev.ecrpush.step.SecretRef;

/**
 * The secret references an ECS task can take. The task definition's {@code secrets} accept a Secrets Manager
 * secret only by its full ARN (a parameter also by its name), unlike CodeBuild, which also takes a secret's
 * name; a name is reported at the connector field that holds it, before anything is started.
 */
final class EcsSecretRefs {
    private EcsSecretRefs() {
    }

    /**
     * @param pathOf where a connector ({@code ref}) is read from, e.g. {@code connectors.aws}
     */
    static void check(AwsConnector connector, DockerConnector baseImage, Function<String, String> pathOf, Problems problems) {
        if (connector != null && connector.credential() instanceof AwsCredential.Manual manual) {
            String at = pathOf.apply(connector.ref()) + ".spec.credential.spec.";
            if (manual.accessKey() instanceof AwsCredential.Value.Secret secret) {
                check(secret.ref(), at + "accessKeyRef", problems);
            }
            check(manual.secretKey(), at + "secretKeyRef", problems);
            check(manual.sessionToken(), at + "sessionTokenRef", problems);
        }
        if (baseImage != null && baseImage.auth() instanceof DockerConnector.Auth.UsernamePassword auth) {
            String at = pathOf.apply(baseImage.ref()) + ".spec.auth.spec.";
            if (auth.username() instanceof AwsCredential.Value.Secret secret) {
                check(secret.ref(), at + "usernameRef", problems);
            }
            check(auth.password(), at + "passwordRef", problems);
        }
    }

    private static void check(SecretRef ref, String path, Problems problems) {
        if (ref != null && ref.store() == SecretRef.Store.SECRETS_MANAGER && !ref.value().startsWith("arn:")) {
            problems.error(path, "is a secret name; the ECS executor needs the secret's full ARN"
                    + " (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME), as ECS task definitions take no names");
        }
    }
}
