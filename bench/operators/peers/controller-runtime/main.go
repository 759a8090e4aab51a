// The Widget operator written the way kubebuilder's book recommends, as the controller-runtime
// contender of Capstan's operator benchmark (bench/operators/run.ts). For each Widget it
// server-side-applies one ConfigMap owned by the Widget (read from the manager's cache first,
// so a converged object costs no write) and sets status.phase=Ready with observedGeneration.
//
// Settings come from the environment: KUBECONFIG, WIDGET_NAMESPACE, WIDGET_GROUP,
// WIDGET_CONCURRENCY (MaxConcurrentReconciles). The client-side rate limit is left at
// controller-runtime's default (off since v0.21). It prints "READY" once its caches synced.
package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"go.uber.org/zap/zapcore"
)

// --- API types (what kubebuilder's `create api` scaffolds; deepcopy written out by hand) ---

type WidgetSpec struct {
	Size int64 `json:"size"`
}

type WidgetStatus struct {
	Phase              string `json:"phase,omitempty"`
	ObservedGeneration int64  `json:"observedGeneration,omitempty"`
}

type Widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              WidgetSpec   `json:"spec,omitempty"`
	Status            WidgetStatus `json:"status,omitempty"`
}

type WidgetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Widget `json:"items"`
}

func (in *Widget) DeepCopyInto(out *Widget) {
	*out = *in
	out.TypeMeta = in.TypeMeta
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
}

func (in *Widget) DeepCopy() *Widget {
	if in == nil {
		return nil
	}
	out := new(Widget)
	in.DeepCopyInto(out)
	return out
}

func (in *Widget) DeepCopyObject() runtime.Object { return in.DeepCopy() }

func (in *WidgetList) DeepCopyObject() runtime.Object {
	if in == nil {
		return nil
	}
	out := new(WidgetList)
	*out = *in
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	if in.Items != nil {
		out.Items = make([]Widget, len(in.Items))
		for i := range in.Items {
			in.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}

// --- the reconciler ---

const fieldOwner = client.FieldOwner("widget-controller")

type WidgetReconciler struct {
	client.Client
	Scheme *runtime.Scheme
}

func desiredData(w *Widget) map[string]string {
	return map[string]string{"size": strconv.FormatInt(w.Spec.Size, 10), "widget": w.Name}
}

func (r *WidgetReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var w Widget
	if err := r.Get(ctx, req.NamespacedName, &w); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !w.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}

	// The child, from the cache: apply only when it is missing or differs.
	data := desiredData(&w)
	var cm corev1.ConfigMap
	err := r.Get(ctx, types.NamespacedName{Namespace: w.Namespace, Name: w.Name}, &cm)
	if err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, err
	}
	if apierrors.IsNotFound(err) || !maps.Equal(cm.Data, data) || !metav1.IsControlledBy(&cm, &w) {
		gvk := w.GroupVersionKind()
		apply := corev1ac.ConfigMap(w.Name, w.Namespace).
			WithData(data).
			WithOwnerReferences(metav1ac.OwnerReference().
				WithAPIVersion(gvk.GroupVersion().String()).
				WithKind(gvk.Kind).
				WithName(w.Name).
				WithUID(w.UID).
				WithController(true).
				WithBlockOwnerDeletion(true))
		if err := r.Apply(ctx, apply, fieldOwner, client.ForceOwnership); err != nil {
			return ctrl.Result{}, err
		}
	}

	if w.Status.Phase != "Ready" || w.Status.ObservedGeneration != w.Generation {
		w.Status.Phase = "Ready"
		w.Status.ObservedGeneration = w.Generation
		if err := r.Status().Update(ctx, &w); err != nil {
			return ctrl.Result{}, err
		}
	}
	return ctrl.Result{}, nil
}

func main() {
	ctrl.SetLogger(zap.New(zap.Level(zapcore.ErrorLevel)))
	ns := os.Getenv("WIDGET_NAMESPACE")
	group := os.Getenv("WIDGET_GROUP")
	conc, _ := strconv.Atoi(os.Getenv("WIDGET_CONCURRENCY"))
	if ns == "" || group == "" || conc < 1 {
		fmt.Fprintln(os.Stderr, "set WIDGET_NAMESPACE, WIDGET_GROUP and WIDGET_CONCURRENCY")
		os.Exit(2)
	}

	gv := schema.GroupVersion{Group: group, Version: "v1"}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		panic(err)
	}
	scheme.AddKnownTypes(gv, &Widget{}, &WidgetList{})
	metav1.AddToGroupVersion(scheme, gv)

	cfg := ctrl.GetConfigOrDie() // QPS unset: client-side rate limit off (the default)
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  cache.Options{DefaultNamespaces: map[string]cache.Config{ns: {}}},
		Metrics:                server.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		LeaderElection:         false,
	})
	if err != nil {
		panic(err)
	}
	r := &WidgetReconciler{Client: mgr.GetClient(), Scheme: mgr.GetScheme()}
	err = ctrl.NewControllerManagedBy(mgr).
		For(&Widget{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&corev1.ConfigMap{}).
		Named("widget").
		WithOptions(controller.Options{MaxConcurrentReconciles: conc}).
		Complete(r)
	if err != nil {
		panic(err)
	}

	ctx := ctrl.SetupSignalHandler()
	go func() {
		// The controller's informers (Widget, ConfigMap) are created when it starts.
		for {
			if mgr.GetCache().WaitForCacheSync(ctx) {
				var l WidgetList
				if err := mgr.GetCache().List(ctx, &l); err == nil {
					var cms corev1.ConfigMapList
					if err := mgr.GetCache().List(ctx, &cms); err == nil {
						fmt.Println("READY")
						return
					}
				}
			}
			if ctx.Err() != nil {
				return
			}
		}
	}()
	if err := mgr.Start(ctx); err != nil {
		panic(err)
	}
}
