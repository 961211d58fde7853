//! `help`: what this terminal understands, in one screen.

use super::{CommandError, suggest};

const OVERVIEW: &str = "\
Commands you can type here:

  kubectl get nodes|pods|namespaces [NAME] [-n NS] [-A] [-o wide|name] [--show-labels]
  kubectl cluster-info            where the control plane is listening
  kubectl version                 client and server versions
  kubectl autoscale deployment NAME --max=N [--min=N] [--cpu-percent=P]   create an HPA
  kubectl top nodes|pods          CPU and memory usage (metrics-server, sampled every 15s)
  sim advance DURATION            let simulated time pass (500ms, 30s, 5m, 1h)
  sim traffic TARGET RPS          send requests to service/NAME, deployment/NAME or pod/NAME
  sim usage TARGET cpu=250m       set pods' CPU/memory usage directly
  sim seed [N]                    show the random seed, or set it (used from now on and by resets)
  sim reset                       start the scenario again
  sim node add|fail|recover NAME  machines joining and failing (help sim)
  sim pod crash|unready|heal POD  a container's process crashing, hanging, failing readiness
  ls [PATH] / cat FILE            look at the project files
  echo TEXT > FILE / >> FILE      write or append to a project file
  docker build|images|push|run …  the Docker daemon on your machine (help docker)
  aws ecr …                       the private registry: repositories, login, scans (help aws)
  aws ecs|elbv2|ec2|autoscaling|application-autoscaling …   Amazon ECS on Fargate and EC2 (help aws)
  aws eks …                       Amazon EKS: cluster, node groups (Cluster Autoscaler), Fargate (help aws)
  sim cost / sim price            what the cloud resources cost so far; the price list
  sim compare [ecs-fargate] [ecs-ec2] [eks]   the same app three ways, side by side
  help [sim|kubectl|files|docker|aws]  this text, or more about one group

Time only moves when you say so: nothing happens between commands until `sim advance`.
";

const SIM: &str = "\
sim: the things a real cluster does to you, made explicit.

  sim advance DURATION   Run everything due in the next DURATION (ms, s, m, h, d; compounds like 1m30s).
                         Kubelets post node status every 10s, so `sim advance 10s` shows a heartbeat per node.
  sim seed               Print the seed of the simulation's random number generator.
  sim seed N             Use seed N from now on; `sim reset` then rebuilds the scenario with it.
  sim reset              Back to the scenario's first instant (time 00:00:00).

Load (what the HPA and `kubectl top` see):
  sim traffic TARGET RPS [--cpu-per-request 2m] [-n NS]
                         A steady request rate. TARGET: service/NAME (spread evenly over the
                         Service's ready endpoints, as kube-proxy does; not-ready pods get none),
                         deployment/NAME (its ready pods) or pod/NAME. Each request costs 2m of
                         CPU per request/s (override with --cpu-per-request, kept until changed)
                         in the pod's first container, plus 128Ki of memory per request/s; every
                         container idles at 5m CPU and 12Mi. CPU is capped at the CPU limit.
  sim traffic TARGET [RPS] --daily MIN..MAX
                         A 24h sinusoid of simulated time between MIN and MAX requests/s,
                         starting at MIN now (or at RPS, rising).
  sim traffic TARGET spike FACTORx for DURATION
                         Multiply the rate (e.g. 10x, 1.5x) for a while.
  sim traffic TARGET off Stop the traffic (same as a rate of 0).
  sim usage TARGET cpu=250m [memory=128Mi]
                         Every pod of TARGET uses exactly this (per pod), whatever the traffic.
  sim usage TARGET clear Back to the traffic model.
  sim traffic ecs-service/NAME --cluster C RPS|--daily MIN..MAX|spike …
                         The same for an ECS service: spread over its healthy tasks.
  metrics-server samples usage every 15s; a new pod has metrics one scrape after it first runs.

Cloud costs (prices as data, us-east-1 on-demand; see `sim price` for the source):
  sim cost               Cost so far of every billed resource: Fargate tasks (per second, 1-minute
                         minimum), EC2 instances, EKS control planes, load balancers.
  sim price              The price list. `sim price NAME DOLLARS` changes one for resources
                         started from then on (e.g. sim price fargate-vcpu-hour 0.05).
  sim compare [ecs-fargate] [ecs-ec2] [eks] [--app IMAGE] [--traffic daily:50..400|steady:RPS]
              [--duration 24h] [--spike 10x|none] [--spike-at 6h] [--spike-for 30m]
                         Runs the same app on each platform in its own fresh simulation, from the
                         commands a learner would type, and compares set-up, time to healthy, time
                         to absorb the spike, tasks/pods and instances over time, and cost; then
                         the Fargate-vs-EC2 cost crossover for each instance type.

Nodes:
  sim node add NAME [--cpu 4] [--memory 8Gi] [--pods 110] [--label k=v]... [--taint k=v:Effect]...
                         A new worker joins: its kubelet registers the Node and heartbeats every 10s.
  sim node fail NAME     The kubelet stops posting status (containers keep running, unobserved).
                         After 40s (--node-monitor-grace-period) the node is NotReady and tainted
                         node.kubernetes.io/unreachable:NoExecute; pods go after their
                         tolerationSeconds (300s by default) and are replaced elsewhere.
  sim node recover NAME  The kubelet comes back, posts Ready and resyncs its pods.
  `kubectl delete node NAME` removes a node; its pods are garbage-collected 40s later.

Containers (first container unless -c NAME; -n NS for other namespaces):
  sim pod crash POD [--exit-code N]   The process exits (default code 1); the kubelet restarts it
                         per restartPolicy: at once the first time, then after 10s, 20s, 40s … 5m
                         (CrashLoopBackOff; the back-off resets after 10 minutes of running).
  sim pod crash POD --loop   Crash again ~2s after every start (a start-up bug).
  sim pod crash POD --hang   The process stops answering: liveness probes fail, and after
                         failureThreshold (3) failures every periodSeconds (10s) it is killed and restarted.
  sim pod unready POD    The readiness probe fails: after 3 failures the pod is Ready=False and
                         leaves its Services' endpoints. Nothing restarts.
  sim pod heal POD       Behave again (probes pass, no more crashes).
";

const KUBECTL: &str = "\
kubectl: talk to the cluster's API server.

  kubectl get TYPE [NAME...]   TYPE: nodes (no), pods (po), namespaces (ns); or TYPE/NAME
      -n, --namespace NS       namespace (default: default)
      -A, --all-namespaces     every namespace
      -o, --output FORMAT      wide | name
      --show-labels            add a LABELS column (nodes)
  kubectl autoscale deployment NAME --max=N [--min=N] [--cpu-percent=P] [--name=HPA]
                               create an autoscaling/v2 HorizontalPodAutoscaler (default target 80% CPU)
  kubectl top nodes [NAME]     node CPU/memory usage and % of allocatable   [--sort-by=cpu|memory] [-l SEL]
  kubectl top pods [NAME]      pod usage  [-A] [--containers] [--sort-by=cpu|memory] [-l SEL]
  kubectl get events [-A] [--field-selector involvedObject.name=NAME,type=Warning]
  kubectl create deployment NAME --image=IMG [--replicas=N] [--port=P]   (labels app=NAME)
  kubectl create namespace|configmap|secret generic NAME [--from-literal=k=v]...
  kubectl create secret docker-registry NAME --docker-server=HOST --docker-username=U --docker-password=P
                               a kubernetes.io/dockerconfigjson Secret (for imagePullSecrets)
  kubectl create -f FILE       like apply, but an existing object is an error
  kubectl scale deployment/NAME --replicas=N [--current-replicas=N]   (also replicasets)
  kubectl set image deployment/NAME CONTAINER=IMAGE...   (`*=IMAGE` for every container)
  kubectl rollout status deployment/NAME [--timeout=2m]   waits: simulated time passes
  kubectl rollout history deployment/NAME [--revision=N]
  kubectl rollout undo deployment/NAME [--to-revision=N]
  kubectl rollout restart|pause|resume deployment/NAME
  kubectl label|annotate TYPE NAME k=v [k-] [--overwrite] [--all] [-l SEL]
  kubectl describe TYPE [NAME] nodes, pods, deployments, replicasets, services, namespaces
  kubectl logs POD|deployment/NAME [-c CONTAINER] [--tail=N]   the process's output (modelled)
  kubectl wait --for=condition=Available|Ready|delete TYPE/NAME [--timeout=30s]   waits
                               (a wait that times out keeps the time it waited, as in reality)
  kubectl taint nodes NAME key=value:Effect... [key:Effect-] [key-] [--overwrite]
                               Effect: NoSchedule | PreferNoSchedule | NoExecute (evicts running pods)
  kubectl cordon|uncordon NODE mark a node (un)schedulable; running pods stay
  kubectl drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force] [--timeout=5m]
                               cordon, then evict every pod through the Eviction API, retrying
                               every 5s while a PodDisruptionBudget allows no disruption (waits)
  kubectl cluster-info         the API server's address
  kubectl version              client and server versions
";

const FILES: &str = "\
Files: your project directory (source, Dockerfile, manifests).

  ls [PATH]      list a directory
  cat FILE...    print files
  echo [-n] [-e] TEXT > FILE    write FILE (>> appends); quote TEXT as in a shell
  CMD | CMD2     pipe one command's output into another (e.g. into docker login --password-stdin)
";

const DOCKER: &str = "\
docker: the client of the Docker daemon on your machine (every call is a REST request in the event log).

  docker build [-t NAME:TAG]... [-f FILE] [--build-arg K=V] [--target STAGE] [--no-cache] DIR
                         build with the daemon's layer cache; the clock advances by the build time
  docker build --check [-f FILE] DIR   lint the Dockerfile only (every problem with its line)
  docker images | history IMAGE | inspect IMAGE|CONTAINER | tag SRC DST | rmi IMAGE
  docker pull IMAGE      download the layers the local store lacks
  docker login --username AWS --password-stdin HOST   (pipe `aws ecr get-login-password` into it)
  docker push IMAGE      upload missing layers, then the manifest
  docker run [-d] [-p H:C] [-e K=V] [--name N] [--user U] [--rm] [--init] IMAGE [CMD...]
  docker ps [-a] | logs C | stop [-t N] C | rm [-f] C | exec C whoami|id|pwd|ls|env|cat /etc/os-release

Containers run a simulated process: servers listen on their EXPOSEd ports; `false`, `exit N`,
`echo`, `sleep N` exit; `docker stop` sends SIGTERM and SIGKILLs after 10s if PID 1 ignores it.
";

const AWS: &str = "\
aws ecr: the private registry 123456789012.dkr.ecr.us-east-1.amazonaws.com.

  aws ecr create-repository --repository-name NAME [--image-tag-mutability IMMUTABLE]
                            [--image-scanning-configuration scanOnPush=true]
  aws ecr describe-repositories [--repository-names NAME...]
  aws ecr delete-repository --repository-name NAME [--force]
  aws ecr list-images --repository-name NAME
  aws ecr describe-images --repository-name NAME [--image-ids imageTag=TAG]
  aws ecr describe-image-scan-findings --repository-name NAME --image-id imageTag=TAG
  aws ecr get-login-password   a registry token, valid 12 hours

Scan on push checks the image config: running as root, an end-of-life base, secrets in ENV.

aws ecs: Amazon ECS (account 123456789012, us-east-1). Output is the CLI's JSON.
  aws ecs create-cluster --cluster-name NAME
  aws ecs register-task-definition --cli-input-json file://task.json   (or --family … flags)
  aws ecs describe-task-definition --task-definition FAMILY[:REV] | list-task-definitions
  aws ecs create-service --cluster C --service-name S --task-definition FAMILY[:REV] --desired-count N
        [--launch-type FARGATE|EC2 | --capacity-provider-strategy capacityProvider=CP,weight=1]
        [--network-configuration awsvpcConfiguration={subnets=[subnet-…],assignPublicIp=ENABLED}]
        [--load-balancers targetGroupArn=TG,containerName=C,containerPort=80]
        [--deployment-configuration maximumPercent=200,minimumHealthyPercent=100,deploymentCircuitBreaker={enable=true,rollback=true}]
        [--placement-strategy type=binpack,field=memory] [--placement-constraints type=distinctInstance]
  aws ecs update-service --cluster C --service S [--task-definition F:R] [--desired-count N] [--force-new-deployment]
        [--deployment-configuration …] [--network-configuration …]   (a new revision or network starts a deployment)
  aws ecs describe-services --cluster C --services S | list-services | delete-service [--force]
  aws ecs list-tasks --cluster C [--service-name S] [--desired-status STOPPED] | describe-tasks --tasks ID…
  aws ecs stop-task --cluster C --task ID
  aws ecs wait services-stable --cluster C --services S     (polls every 15 s, up to 10 minutes)
  aws ecs create-capacity-provider --name CP --auto-scaling-group-provider autoScalingGroupArn=ASG,managedScaling={status=ENABLED,targetCapacity=100}
  aws ecs put-cluster-capacity-providers --cluster C --capacity-providers CP FARGATE --default-capacity-provider-strategy capacityProvider=CP,weight=1
  aws ecs list-container-instances | describe-container-instances --cluster C

aws autoscaling create-auto-scaling-group --auto-scaling-group-name ASG --instance-type m5.large
        --min-size 1 --max-size 4 [--desired-capacity N] [--vpc-zone-identifier subnet-a,subnet-b]
        (--instance-type stands in for a launch template with the ECS-optimised AMI)
aws autoscaling describe-auto-scaling-groups | set-desired-capacity | update-auto-scaling-group | delete-auto-scaling-group
aws ec2 describe-subnets | describe-vpcs | create-subnet --vpc-id VPC --cidr-block 172.31.48.0/28 [--availability-zone us-east-1a]
aws elbv2 create-load-balancer --name ALB --subnets S1 S2 | create-target-group --name TG --protocol HTTP --port 80
        --target-type ip --vpc-id VPC [--health-check-interval-seconds 30] [--healthy-threshold-count 5]
aws elbv2 create-listener --load-balancer-arn ALB --protocol HTTP --port 80 --default-actions Type=forward,TargetGroupArn=TG
aws elbv2 describe-target-health --target-group-arn TG | modify-target-group-attributes --attributes Key=deregistration_delay.timeout_seconds,Value=30
aws application-autoscaling register-scalable-target --service-namespace ecs --resource-id service/C/S
        --scalable-dimension ecs:service:DesiredCount --min-capacity 2 --max-capacity 10
aws application-autoscaling put-scaling-policy … --policy-type TargetTrackingScaling
        --target-tracking-scaling-policy-configuration '{\"TargetValue\":50.0,\"PredefinedMetricSpecification\":{\"PredefinedMetricType\":\"ECSServiceAverageCPUUtilization\"}}'

aws eks: Amazon EKS (scenario `eks`: the control plane is managed, so no control-plane node).
  aws eks create-cluster --name C [--kubernetes-version 1.31] [--role-arn ARN]
        [--resources-vpc-config subnetIds=subnet-a,subnet-b,securityGroupIds=sg-1]   (ACTIVE after ~10 min)
  aws eks describe-cluster --name C | list-clusters | delete-cluster --name C | update-kubeconfig --name C
  aws eks create-nodegroup --cluster-name C --nodegroup-name NG --instance-types m5.large
        --scaling-config minSize=1,maxSize=4,desiredSize=2 [--subnets S…] [--labels k=v]
        [--taints key=k,value=v,effect=NO_SCHEDULE] [--node-role ARN]
  aws eks describe-nodegroup|delete-nodegroup --cluster-name C --nodegroup-name NG | list-nodegroups --cluster-name C
  aws eks update-nodegroup-config --cluster-name C --nodegroup-name NG --scaling-config desiredSize=N
  aws eks create-fargate-profile --cluster-name C --fargate-profile-name FP
        --selectors namespace=batch[,labels={app=web}] [--pod-execution-role-arn ARN]
  aws eks describe-fargate-profile|delete-fargate-profile --cluster-name C --fargate-profile-name FP | list-fargate-profiles --cluster-name C
Nodes boot for 2m30s, then join; the Cluster Autoscaler (every 10s) grows a node group for pods
that fit nowhere and removes nodes under 50% requested for 10 minutes. A pod a Fargate profile
selects gets its own node (fargate-ip-…) after ~40s, sized to its requests + 256Mi, rounded up.

Names or ARNs work wherever the CLI takes either. A task goes PROVISIONING → PENDING → RUNNING;
`aws ecs describe-services` shows the service's events as ECS words them.
";

/// The help text for a topic.
pub fn text(topic: Option<&str>) -> Result<String, CommandError> {
    match topic {
        None => Ok(OVERVIEW.to_string()),
        Some("sim") => Ok(SIM.to_string()),
        Some("kubectl" | "k") => Ok(KUBECTL.to_string()),
        Some("files" | "ls" | "cat" | "echo") => Ok(FILES.to_string()),
        Some("docker") => Ok(DOCKER.to_string()),
        Some("aws" | "ecr" | "ecs" | "elbv2" | "eks") => Ok(AWS.to_string()),
        Some(other) => {
            let mut msg = format!("help: no help topic \"{other}\"");
            if let Some(s) =
                suggest::suggestions(other, &["sim", "kubectl", "files", "docker", "aws"]).first()
            {
                msg.push_str(&format!("\n\nDid you mean this?\n\t{s}"));
            }
            Err(CommandError::new(msg))
        }
    }
}
