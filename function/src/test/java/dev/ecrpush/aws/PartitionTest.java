package dev.ecrpush.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

class PartitionTest {
    @Test
    void everyRegionTheSdkKnows_isInTheSdksPartition() {
        for (Region region : Region.regions()) {
            if (region.isGlobalRegion()) {
                continue;
            }
            PartitionMetadata sdk = PartitionMetadata.of(region);
            Partition ours = Partition.of(region.id());
            assertEquals(sdk.id(), ours.id(), region.id());
            assertEquals(sdk.dnsSuffix(), ours.dnsSuffix(), region.id());
        }
    }

    @Test
    void regionsTheSdkDoesNotList_yetFollowThePartitionPatterns() {
        Map<String, String> expected = Map.of("cn-west-9", "aws-cn", "us-gov-south-7", "aws-us-gov",
                "eu-isoe-north-3", "aws-iso-e", "eusc-de-west-2", "aws-eusc", "ap-future-9", "aws", "nowhere", "aws");
        expected.forEach((region, partition) -> {
            assertEquals(partition, Partition.of(region).id(), region);
            assertEquals(PartitionMetadata.of(Region.of(region)).id(), Partition.of(region).id(), region);
        });
    }

    @Test
    void everyPartitionHasARegionInTheSdk() {
        List<String> partitions = Region.regions().stream().map(r -> Partition.of(r.id()).id()).distinct().toList();
        for (Partition partition : Partition.values()) {
            assertEquals(true, partitions.contains(partition.id()), partition.id() + " has no region in the SDK");
        }
    }
}
