package dev.ecrpush.aws;

import java.util.regex.Pattern;

/**
 * The AWS partitions, told apart by region name the way the SDK's partition metadata does it. The SDK's own
 * lookup ({@code PartitionMetadata.of}) loads the metadata of every region and every service, some 450
 * classes, on the first plan; this table is all a registry host, an ARN or a console link needs.
 * {@code PartitionTest} holds it to the SDK's answer for every region the SDK knows.
 */
public enum Partition {
    AWS_CN("aws-cn", "amazonaws.com.cn", "^cn\\-\\w+\\-\\d+$"),
    AWS_US_GOV("aws-us-gov", "amazonaws.com", "^us\\-gov\\-\\w+\\-\\d+$"),
    AWS_ISO("aws-iso", "c2s.ic.gov", "^us\\-iso\\-\\w+\\-\\d+$"),
    AWS_ISO_B("aws-iso-b", "sc2s.sgov.gov", "^us\\-isob\\-\\w+\\-\\d+$"),
    AWS_ISO_E("aws-iso-e", "cloud.adc-e.uk", "^eu\\-isoe\\-\\w+\\-\\d+$"),
    AWS_ISO_F("aws-iso-f", "csp.hci.ic.gov", "^us\\-isof\\-\\w+\\-\\d+$"),
    AWS_EUSC("aws-eusc", "amazonaws.eu", "^eusc\\-(de)\\-\\w+\\-\\d+$"),
    AWS("aws", "amazonaws.com", "^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$");

    private final String id;
    private final String dnsSuffix;
    private final Pattern regions;

    Partition(String id, String dnsSuffix, String regions) {
        this.id = id;
        this.dnsSuffix = dnsSuffix;
        this.regions = Pattern.compile(regions);
    }

    /** The partition of {@code region}; a name no partition claims is taken as the standard one, as the SDK does. */
    public static Partition of(String region) {
        for (Partition partition : values()) {
            if (partition.regions.matcher(region).matches()) {
                return partition;
            }
        }
        return AWS;
    }

    /** The partition an ARN names ({@code aws}, {@code aws-cn}, ...); null for one this table does not know. */
    public static Partition byId(String id) {
        for (Partition partition : values()) {
            if (partition.id.equals(id)) {
                return partition;
            }
        }
        return null;
    }

    /** As in ARNs: {@code aws}, {@code aws-cn}, ... */
    public String id() {
        return id;
    }

    /** The DNS suffix of the partition's endpoints, e.g. {@code amazonaws.com.cn}. */
    public String dnsSuffix() {
        return dnsSuffix;
    }
}
