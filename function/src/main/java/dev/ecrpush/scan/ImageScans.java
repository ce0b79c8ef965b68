package dev.ecrpush.scan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.DescribeImageScanFindingsRequest;
import software.amazon.awssdk.services.ecr.model.DescribeImageScanFindingsResponse;
import software.amazon.awssdk.services.ecr.model.EnhancedImageScanFinding;
import software.amazon.awssdk.services.ecr.model.ImageScanFinding;
import software.amazon.awssdk.services.ecr.model.ImageScanFindings;
import software.amazon.awssdk.services.ecr.model.ScanNotFoundException;

import dev.ecrpush.aws.AwsFailures;

/**
 * Reads the scan of one image with {@code DescribeImageScanFindings}, page by page, in the target account. Basic
 * scanning's {@code findingSeverityCounts} cover the whole image, so its first page is enough; Inspector's
 * {@code enhancedFindings} are counted one by one (to leave out those without a fix), over at most
 * {@value #MAX_PAGES} pages of {@value #PAGE_SIZE}.
 */
public final class ImageScans {
    static final int PAGE_SIZE = 1000;
    static final int MAX_PAGES = 10;
    /** The severities in the order a person reads them, worst first; others (UNDEFINED, UNTRIAGED) follow as reported. */
    static final List<String> ORDER = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL");

    private final EcrClient ecr;

    public ImageScans(EcrClient ecr) {
        this.ecr = ecr;
    }

    public ScanReading read(String account, String repository, String digest, boolean ignoreUnfixed) {
        Map<String, Integer> counts = zeroes();
        int ignored = 0;
        boolean enhanced = false;
        String token = null;
        String scanStatus = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            String next = token;
            Consumer<DescribeImageScanFindingsRequest.Builder> request = r -> r.registryId(account).repositoryName(repository)
                    .imageId(id -> id.imageDigest(digest)).maxResults(PAGE_SIZE).nextToken(next);
            DescribeImageScanFindingsResponse response;
            try {
                response = ecr.describeImageScanFindings(request);
            } catch (ScanNotFoundException notFound) {
                return new ScanReading.NotFound(notFound.awsErrorDetails() == null ? notFound.getMessage()
                        : notFound.awsErrorDetails().errorMessage());
            } catch (AwsServiceException e) {
                return new ScanReading.Unreadable(AwsFailures.errorCode(e) + ": " + (e.awsErrorDetails() == null
                        ? e.getMessage() : e.awsErrorDetails().errorMessage()));
            } catch (SdkException e) {
                return new ScanReading.Unreadable(e.getMessage());
            }
            String status = response.imageScanStatus() == null ? null : response.imageScanStatus().statusAsString();
            String description = response.imageScanStatus() == null ? null : response.imageScanStatus().description();
            if (page == 0) {
                scanStatus = status;
                if ("IN_PROGRESS".equals(status) || "PENDING".equals(status)) {
                    return new ScanReading.Pending(status, description);
                }
                if (!"COMPLETE".equals(status) && !"ACTIVE".equals(status)) {
                    return new ScanReading.Unusable(status == null ? "NONE" : status, description);
                }
            }
            ImageScanFindings findings = response.imageScanFindings();
            if (findings != null && findings.hasEnhancedFindings() && !findings.enhancedFindings().isEmpty()) {
                enhanced = true;
                for (EnhancedImageScanFinding finding : findings.enhancedFindings()) {
                    if ("SUPPRESSED".equals(finding.status()) || "CLOSED".equals(finding.status())) {
                        continue;
                    }
                    if (ignoreUnfixed && "NO".equals(finding.fixAvailable())) {
                        ignored++;
                    } else {
                        counts.merge(severity(finding.severity()), 1, Integer::sum);
                    }
                }
            } else if (!enhanced && findings != null && findings.hasFindingSeverityCounts()) {
                // Basic scanning: the counts are the image's, whatever the page.
                findings.findingSeverityCountsAsStrings().forEach((severity, count) -> counts.merge(severity(severity),
                        count == null ? 0 : count, Integer::sum));
                return new ScanReading.Findings(scanStatus, false, counts, 0);
            } else if (!enhanced && findings != null && findings.hasFindings()) {
                for (ImageScanFinding finding : findings.findings()) {
                    counts.merge(severity(finding.severityAsString()), 1, Integer::sum);
                }
            }
            token = response.nextToken();
            if (token == null || token.isEmpty()) {
                return new ScanReading.Findings(scanStatus, enhanced, counts, ignored);
            }
        }
        return new ScanReading.Unusable("TOO_MANY_FINDINGS", "more than " + PAGE_SIZE * MAX_PAGES
                + " findings; the function does not read them all, and a gate does not pass an image it has not read");
    }

    private static Map<String, Integer> zeroes() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        ORDER.forEach(s -> counts.put(s, 0));
        return counts;
    }

    private static String severity(String reported) {
        return reported == null || reported.isEmpty() ? "UNDEFINED" : reported;
    }
}
