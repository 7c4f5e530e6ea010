# Trailing comments aligned the way terraform fmt aligns them.
resource "kops_cluster" "cluster" {
  # CIS section 1.2
  kube_api_server {
    enable_profiling  = true                 # 1.2.18
    audit_log_path    = "/var/log/audit.log" # 1.2.19
    audit_log_max_age = 30                   # 1.2.20
  }
  kubelet {
    read_only_port = 10255 // 4.2.4
  }
  kube_controller_manager {} # 1.3
  kube_scheduler {}          # 1.4
}
