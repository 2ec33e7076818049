"""Amazon EC2 and S3 (and Eucalyptus, which speaks the same APIs), through boto3."""
