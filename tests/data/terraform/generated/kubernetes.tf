resource "aws_s3_object" "cluster-completed-spec" {
  bucket                 = "acme-kops-state"
  content                = file("${path.module}/data/aws_s3_object_cluster-completed.spec_content")
  key                    = "gen.k8s.example.com/cluster-completed.spec"
  provider               = aws.files
  server_side_encryption = "AES256"
}
