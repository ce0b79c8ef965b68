package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.githost.ChangedFiles;
import dev.ecrpush.githost.GitHostApis;
import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.policy.Narrowing;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.trigger.PullRequestOptions;
import dev.ecrpush.trigger.PushFilters;
import dev.ecrpush.trigger.RefPattern;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerEvent;

/**
 * Which pull requests' changed files are asked of the host's compare API ({@link PullRequestDeliveries#changedFiles}):
 * from the event's base commit to its head commit, in the base repository; never for a host without a token, an
 * event without a base commit (or with one that is no commit ID, which is not quoted back), or a fork's request on a
 * host other than GitHub.
 */
@ExtendWith(MockitoExtension.class)
class PullRequestComparisonsLogicTest {
    private static final String HEAD = "2eba238e33607c1fa49253182e9fff42baafa1eb";
    private static final String BASE = "39af58f1eff02aa308e16913e887c8d50362b474";
    private static final Trigger TRIGGER = new Trigger("t", "gitea", "jcitizen/my-repo", List.of(RefPattern.of("master")), List.of(),
            List.of(), Fixtures.basePayload(), Narrowing.NONE, PushFilters.DEFAULT, false, Set.of(TriggerEvent.PULL_REQUEST),
            PullRequestOptions.DEFAULT, null, false);

    @Mock
    GitHostApis apis;
    @Mock
    ServiceConfig config;
    @Mock
    ServiceConfig.Webhooks webhooks;

    private PullRequestDeliveries deliveries;

    @BeforeEach
    void setUp() {
        when(config.webhooks()).thenReturn(webhooks);
        deliveries = new PullRequestDeliveries(null, null, null, null, config, null, null, apis);
        lenient().when(apis.configured(any())).thenReturn(true);
    }

    private static PullRequest pr(String host, String headRepository, String baseSha) {
        return new PullRequest(host, "jcitizen/my-repo", 1, headRepository, "http://localhost:3000/" + headRepository + ".git",
                "feature", "master", HEAD, "jcitizen", null, baseSha);
    }

    @Test
    void aRequestWithItsBaseCommit_isComparedFromItInTheBaseRepository() {
        ChangedFiles listed = new ChangedFiles.Listed(List.of("src/a.go"));
        when(apis.changedFiles("gitea", "jcitizen/my-repo", BASE, HEAD)).thenReturn(listed);
        assertEquals(listed, deliveries.changedFiles(TRIGGER, pr("gitea", "jcitizen/my-repo", BASE)));
    }

    @Test
    void aForksRequest_isComparedOnGitHubOnly() {
        ChangedFiles listed = new ChangedFiles.Listed(List.of("src/a.go"));
        when(apis.changedFiles("github", "jcitizen/my-repo", BASE, HEAD)).thenReturn(listed);
        assertEquals(listed, deliveries.changedFiles(TRIGGER, pr("github", "fork/my-repo", BASE)));
        assertEquals(new ChangedFiles.Unknown("a pull request's event lists no changed files, and gitea's compare API is not asked"
                + " about a fork's commits"), deliveries.changedFiles(TRIGGER, pr("gitea", "fork/my-repo", BASE)));
        verify(apis, never()).changedFiles("gitea", "jcitizen/my-repo", BASE, HEAD);
    }

    @Test
    void noBaseCommit_orOneThatIsNoCommitId_isNotCompared_norQuoted() {
        for (String base : new String[] {null, "main", "39af58f1/../../admin"}) {
            ChangedFiles files = deliveries.changedFiles(TRIGGER, pr("gitea", "jcitizen/my-repo", base));
            assertEquals(new ChangedFiles.Unknown("a pull request's event lists no changed files, and this one gives no base commit"
                    + " to compare with"), files);
        }
        ChangedFiles hostileHead = deliveries.changedFiles(TRIGGER, new PullRequest("gitea", "jcitizen/my-repo", 1, "jcitizen/my-repo",
                "http://localhost:3000/jcitizen/my-repo.git", "feature", "master", "HEAD~1/../x", "jcitizen", null, BASE));
        assertEquals(PullRequestDeliveries.NOT_LISTED, hostileHead, "the head is refused naming its field when the build is asked");
        verify(apis, never()).changedFiles(any(), any(), any(), any());
    }

    @Test
    void aHostWithoutAToken_isNotAsked() {
        when(apis.configured("gitea")).thenReturn(false);
        assertEquals(PullRequestDeliveries.NOT_LISTED, deliveries.changedFiles(TRIGGER, pr("gitea", "jcitizen/my-repo", BASE)));
        verify(apis, never()).changedFiles(any(), any(), any(), any());
    }
}
