package dev.ecrpush.credentials;

import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.step.AwsCredential;
import dev.ecrpush.step.SecretRef;
import dev.ecrpush.step.SecretText;

/** The plans, references and values the credentials tests share. Every secret value starts with {@link #SECRET_MARK}. */
final class CredentialsFixtures {
    static final String SECRET_MARK = "SECRETEXAMPLE";
    static final String ACCESS_KEY = "AKIAMANUALEXAMPLE001";
    static final String SECRET_KEY = SECRET_MARK + "KEYwJalrXUtnFEMIK7MDENGbPxRfiCY";
    static final String SESSION_TOKEN = SECRET_MARK + "SESSIONTOKENFwoGZXIvYXdzEJr";
    static final String WEB_TOKEN = SECRET_MARK + "OIDCTOKEN.eyJzdWIiOiJwaXBlbGluZSJ9.sig";
    static final String ASSUMED_KEY = "ASIAASSUMEDROLE00001";
    static final String ASSUMED_SECRET = SECRET_MARK + "ASSUMEDSECRETKEY0000000000000";
    static final String ASSUMED_TOKEN = SECRET_MARK + "ASSUMEDSESSIONTOKEN00000000";

    static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ci/aws-AbCdEf";
    static final String TARGET_ROLE = "arn:aws:iam::123456789012:role/ecr-push";
    static final String OIDC_ROLE = "arn:aws:iam::123456789012:role/oidc-push";
    static final String SESSION = "ecr-build-push-build_app";

    private CredentialsFixtures() {
    }

    static SecretRef secretsManager(String reference) {
        return new SecretRef(reference, SecretRef.Store.SECRETS_MANAGER);
    }

    static SecretRef parameter(String reference) {
        return new SecretRef(reference, SecretRef.Store.PARAMETER_STORE);
    }

    static CredentialsPlan.Base.StaticKeys plainKeys(SecretRef secretKey) {
        return new CredentialsPlan.Base.StaticKeys(new AwsCredential.Value.Plain(ACCESS_KEY), secretKey, null);
    }

    static CredentialsPlan.Base.WebIdentity webIdentity(String token) {
        return new CredentialsPlan.Base.WebIdentity(OIDC_ROLE, new SecretText(token), SESSION);
    }

    static CredentialsPlan.AssumeRole crossAccount(String externalId) {
        return new CredentialsPlan.AssumeRole(TARGET_ROLE, externalId, SESSION);
    }
}
