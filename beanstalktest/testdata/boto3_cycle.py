"""Drive the simulator with boto3, as a non-Go tool would: the only
configuration is AWS_ENDPOINT_URL. Prints one JSON document of observations."""
import io, json, os, sys, time, zipfile

import boto3
import botocore

session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name="us-east-1")
eb = session.client("elasticbeanstalk")
s3 = session.client("s3", config=botocore.config.Config(s3={"addressing_style": "path"}))
out = {}

s3.create_bucket(Bucket="py-bundles")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("Dockerrun.aws.json", json.dumps({"AWSEBDockerrunVersion": "1", "Image": {"Name": "team/py:1"}, "Ports": [{"ContainerPort": "80"}]}))
s3.put_object(Bucket="py-bundles", Key="v1.zip", Body=buf.getvalue())

eb.create_application(ApplicationName="py")
eb.create_application_version(ApplicationName="py", VersionLabel="v1", SourceBundle={"S3Bucket": "py-bundles", "S3Key": "v1.zip"})
platforms = eb.list_platform_versions(Filters=[
    {"Type": "PlatformBranchName", "Operator": "=", "Values": ["Docker running on 64bit Amazon Linux 2023"]},
    {"Type": "PlatformLifecycleState", "Operator": "=", "Values": ["Recommended"]},
])["PlatformSummaryList"]
out["platform"] = platforms[0]["PlatformArn"]
env = eb.create_environment(ApplicationName="py", EnvironmentName="py-v1", CNAMEPrefix="py-live", VersionLabel="v1",
    PlatformArn=platforms[0]["PlatformArn"],
    OptionSettings=[{"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "IamInstanceProfile", "Value": "aws-elasticbeanstalk-ec2-role"}])
out["created"] = {"status": env["Status"], "cname": env["CNAME"], "health": env["Health"]}

deadline = time.time() + 30
while True:
    # A new environment is listed a few seconds after it was created.
    listed = eb.describe_environments(EnvironmentNames=["py-v1"])["Environments"]
    e = listed[0] if listed else {"Status": "not yet listed", "Health": ""}
    if e["Status"] == "Ready" and e["Health"] == "Green":
        break
    if time.time() > deadline:
        sys.exit("environment never became healthy: %r" % e)
    time.sleep(0.05)
out["ready"] = {"status": e["Status"], "health": e["Health"], "created_is_datetime": hasattr(e["DateCreated"], "year")}

# Capacity, through Beanstalk and through Auto Scaling.
resources = eb.describe_environment_resources(EnvironmentName="py-v1")["EnvironmentResources"]
asg = session.client("autoscaling")
groups = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[resources["AutoScalingGroups"][0]["Name"]])["AutoScalingGroups"]
out["capacity"] = {"instances": len(resources["Instances"]), "min": groups[0]["MinSize"], "in_service": [i["LifecycleState"] for i in groups[0]["Instances"]]}
released = eb.describe_platform_version(PlatformArn=platforms[0]["PlatformArn"])["PlatformDescription"]["DateCreated"]
out["platform_released"] = released.strftime("%Y-%m-%d")

events = eb.describe_events(EnvironmentName="py-v1", MaxRecords=5)
out["events_page"] = len(events["Events"])
out["has_next_token"] = "NextToken" in events
out["newest_event"] = eb.describe_events(EnvironmentName="py-v1")["Events"][0]["Message"]

try:
    eb.create_environment(ApplicationName="py", EnvironmentName="py-v1", SolutionStackName="x")
except botocore.exceptions.ClientError as err:
    out["duplicate"] = err.response["Error"]["Code"]
try:
    eb.delete_application_version(ApplicationName="py", VersionLabel="v1")
except botocore.exceptions.ClientError as err:
    out["in_use"] = err.response["Error"]["Code"]
try:
    eb.create_application_version(ApplicationName="py", VersionLabel="v2", SourceBundle={"S3Bucket": "py-bundles", "S3Key": "nope.zip"})
except botocore.exceptions.ClientError as err:
    out["missing_bundle"] = err.response["Error"]["Code"]

print(json.dumps(out))
